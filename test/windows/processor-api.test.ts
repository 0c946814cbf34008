import { describe, expect, it } from 'vitest';
import {
  BufferConfig,
  Consumed,
  type Processor,
  type ProcessorContext,
  Produced,
  Serdes,
  type SessionStore,
  StreamRecord,
  Stores,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  TopologyTestDriver,
  type WindowStore,
  Windowed,
  silentLogger,
} from 'kstream';

describe('window and session stores in the Processor API', () => {
  it('a processor keeps the last values of each key in a window store and a session store', () => {
    class Recent implements Processor<string, string, string, string> {
      private ctx!: ProcessorContext<string, string>;
      private windows!: WindowStore<string, string>;
      private sessions!: SessionStore<string, string>;
      init(ctx: ProcessorContext<string, string>): void {
        this.ctx = ctx;
        this.windows = ctx.getStateStore('recent');
        this.sessions = ctx.getStateStore('visits');
      }
      process(r: StreamRecord<string, string>): void {
        this.windows.put(r.key, r.value, r.timestamp);
        const seen = this.windows.fetch(r.key, r.timestamp - 10, r.timestamp).map(([t, v]) => `${v}@${t}`);
        const open = this.sessions.findSessions(r.key, r.timestamp - 5, r.timestamp + 5);
        const start = open.length > 0 ? open[0]![0].window.start : r.timestamp;
        for (const [s] of open) this.sessions.remove(s);
        this.sessions.put(Windowed.of(r.key, start, r.timestamp), r.value);
        this.ctx.forward(r.withValue(`${seen.join(',')} session ${start}-${r.timestamp}`));
      }
    }
    const b = new StreamsBuilder();
    b.addStateStore(Stores.windowStoreBuilder(Stores.inMemoryWindowStore('recent', 100, 1, true), Serdes.String(), Serdes.String()));
    b.addStateStore(Stores.sessionStoreBuilder(Stores.persistentSessionStore('visits', 100), Serdes.String(), Serdes.String()).withLoggingDisabled());
    b.stream('in', Consumed.with(Serdes.String(), Serdes.String()))
      .process(() => new Recent(), 'recent', 'visits')
      .to('out', Produced.with(Serdes.String(), Serdes.String()));
    const driver = new TopologyTestDriver(b.build(), { 'application.id': 'papi', logger: silentLogger });
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    const out = driver.createOutputTopic('out', Serdes.String(), Serdes.String());
    input.pipeInput('k', 'a', 1);
    input.pipeInput('k', 'b', 4);
    input.pipeInput('k', 'c', 4);
    input.pipeInput('k', 'd', 20);
    expect(out.readValuesToList()).toEqual(['a@1 session 1-1', 'a@1,b@4 session 1-4', 'a@1,b@4,c@4 session 1-4', 'd@20 session 20-20']);
    expect([...driver.producedTopicNames()].sort()).toEqual(['out', 'papi-recent-changelog']);
    expect(driver.getWindowStore<string, string>('recent')!.fetch('k', 0, 100).length).toBe(4);
    expect(driver.getSessionStore<string, string>('visits')!.fetch('k').map(([w]) => `${w.window.start}-${w.window.end}`)).toEqual(['1-4', '20-20']);
  });

  it('rejects retention shorter than the window size, and final results on a table that is not windowed', () => {
    expect(() => Stores.persistentWindowStore('w', 5, 10)).toThrow('The retention period of the window store w must be no smaller than its window size. Got size=[10], retention=[5]');
    const b = new StreamsBuilder();
    const t = b.table('t', Consumed.with(Serdes.String(), Serdes.String()));
    expect(() => t.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))).toThrow(/Window close time is only defined for windowed computations/);
    expect(() => Suppressed.untilWindowCloses(BufferConfig.maxRecords(10))).toThrow(/strict buffer config/);
    expect(() =>
      b
        .stream('s', Consumed.with(Serdes.String(), Serdes.String()))
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
        .count()
        .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded().shutDownWhenFull())),
    ).not.toThrow();
  });
});
