import { describe, expect, it } from 'vitest';
import {
  type FixedKeyProcessor,
  type FixedKeyProcessorContext,
  type FixedKeyRecord,
  Consumed,
  Produced,
  type KeyValueStore,
  type Processor,
  type ProcessorContext,
  PunctuationType,
  Serdes,
  StreamRecord,
  Stores,
  StreamsBuilder,
  Topology,
  TopologyTestDriver,
  silentLogger,
} from 'kstream';

const S = Serdes.String();
const L = Serdes.Long();

class CountingProcessor implements Processor<string, string, string, number> {
  private context!: ProcessorContext<string, number>;
  private store!: KeyValueStore<string, number>;
  init(context: ProcessorContext<string, number>): void {
    this.context = context;
    this.store = context.getStateStore('counts');
  }
  process(record: StreamRecord<string, string>): void {
    const n = (this.store.get(record.key) ?? 0) + 1;
    this.store.put(record.key, n);
    this.context.forward(record.withValue(n));
  }
}

describe('Processor API', () => {
  it('process() with a named state store', () => {
    const b = new StreamsBuilder();
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('counts'), S, L));
    b.stream<string, string>('in')
      .process(() => new CountingProcessor(), 'counts')
      .to('out', Produced.with(S, L));
    const d = new TopologyTestDriver(b.build(), { logger: silentLogger });
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('a', 'x', 1);
    input.pipeInput('a', 'y', 2);
    input.pipeInput('b', 'z', 3);
    expect(d.createOutputTopic('out', S, L).readKeyValuesToList()).toEqual([
      ['a', 1],
      ['a', 2],
      ['b', 1],
    ]);
    const store = d.getKeyValueStore<string, number>('counts')!;
    expect([...store.all()]).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect([...store.range('a', 'a')]).toEqual([['a', 2]]);
  });

  it('a processor without access to a store gets a clear error', () => {
    const b = new StreamsBuilder();
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('counts'), S, L));
    b.stream<string, string>('in').process(() => new CountingProcessor());
    expect(() => b.build()).toThrow("state store 'counts' is not connected to any processor");
  });

  it('stream-time punctuation fires once per check, aligned to the interval', () => {
    const fired: number[] = [];
    const b = new StreamsBuilder();
    b.stream<string, string>('in').process(() => ({
      init(ctx: ProcessorContext<never, never>) {
        ctx.schedule(10, PunctuationType.STREAM_TIME, (t) => {
          fired.push(t);
        });
      },
      process() {},
    }));
    const d = new TopologyTestDriver(b.build(), { logger: silentLogger });
    const input = d.createInputTopic('in', S, S);
    for (const ts of [25, 31, 29, 75]) input.pipeInput('k', 'v', ts);
    expect(fired).toEqual([25, 31, 75]);
  });

  it('wall-clock punctuation follows the driver clock and forwards records', () => {
    class Ticker implements Processor<string, string, string, string> {
      init(ctx: ProcessorContext<string, string>): void {
        ctx.schedule(100, PunctuationType.WALL_CLOCK_TIME, (t) => ctx.forward(new StreamRecord('tick', String(t), t)));
      }
      process(): void {}
    }
    const b = new StreamsBuilder();
    b.stream<string, string>('in')
      .process(() => new Ticker())
      .to('ticks');
    const d = new TopologyTestDriver(b.build(), { logger: silentLogger }, 1000);
    d.advanceWallClockTime(99);
    d.advanceWallClockTime(1);
    d.advanceWallClockTime(350);
    expect(d.createOutputTopic('ticks', S, S).readRecordsToList().map((r) => [r.value, r.timestamp])).toEqual([
      ['1100', 1100],
      ['1450', 1450],
    ]);
  });

  it('processValues keeps the key; recordMetadata tells where a record came from', () => {
    const seen: string[] = [];
    class Length implements FixedKeyProcessor<string, string, number> {
      private ctx!: FixedKeyProcessorContext<string, number>;
      init(ctx: FixedKeyProcessorContext<string, number>): void {
        this.ctx = ctx;
      }
      process(r: FixedKeyRecord<string, string>): void {
        const m = this.ctx.recordMetadata()!;
        seen.push(`${m.topic}-${m.partition}@${m.offset}`);
        this.ctx.forward(r.withValue(r.value.length));
      }
    }
    const b = new StreamsBuilder();
    b.stream<string, string>('in')
      .processValues(() => new Length())
      .to('out', Produced.with(S, Serdes.Integer()));
    const d = new TopologyTestDriver(b.build(), { logger: silentLogger });
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('k', 'abc', 1);
    input.pipeInput('k', 'de', 2);
    expect(d.createOutputTopic('out', S, Serdes.Integer()).readKeyValuesToList()).toEqual([
      ['k', 3],
      ['k', 2],
    ]);
    expect(seen).toEqual(['in-0@0', 'in-0@1']);
  });

  it('a hand-built Topology works the same way', () => {
    class Upper implements Processor<string, string, string, string> {
      private ctx!: ProcessorContext<string, string>;
      init(ctx: ProcessorContext<string, string>): void {
        this.ctx = ctx;
      }
      process(r: StreamRecord<string, string>): void {
        this.ctx.forward(r.withValue(r.value.toUpperCase()));
      }
    }
    const t = new Topology()
      .addSource('src', 'in', { keySerde: S, valueSerde: S })
      .addProcessor('upper', () => new Upper(), 'src')
      .addSink('sink', 'out', { keySerde: S, valueSerde: S }, 'upper');
    expect(t.describe().toString()).toBe(`Topologies:
   Sub-topology: 0
    Source: src (topics: [in])
      --> upper
    Processor: upper (stores: [])
      --> sink
      <-- src
    Sink: sink (topic: out)
      <-- upper

`);
    const d = new TopologyTestDriver(t, { logger: silentLogger });
    d.createInputTopic('in', S, S).pipeInput('k', 'hey', 1);
    expect(d.createOutputTopic('out', S, S).readKeyValue()).toEqual(['k', 'HEY']);
  });

  it('an exception in a user function only loses that node\'s work (log-and-continue)', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in')
      .flatMapValues((v) => {
        if (v === 'boom') throw new Error('bad input');
        return [v, v + '2'];
      })
      .mapValues((v) => {
        if (v === 'b2') throw new Error('no b2');
        return v;
      })
      .to('out');
    const d = new TopologyTestDriver(b.build(), { 'application.id': 'app', logger: silentLogger });
    const input = d.createInputTopic('in', S, S);
    for (const v of ['a', 'boom', 'b']) input.pipeInput('k', v, 1);
    expect(d.createOutputTopic('out', S, S).readValuesToList()).toEqual(['a', 'a2', 'b']);
    expect(d.metricsSnapshot()['dropped-records-total']).toBe(2);
    const dlq = d.createOutputTopic('app-dlq', S, S).readRecordsToList();
    expect(dlq.map((r) => [r.value, r.headers.lastHeader('__streams.errors.message')?.value?.toString()])).toEqual([
      ['boom', 'bad input'],
      ['b', 'no b2'],
    ]);
    expect(dlq[0]!.headers.lastHeader('__streams.errors.offset')?.value?.toString()).toBe('1');
  });

  it('with processing.exception.handler=fail the error stops processing', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in')
      .mapValues((v) => {
        if (v === 'boom') throw new Error('bad input');
        return v;
      })
      .to('out');
    const d = new TopologyTestDriver(b.build(), { logger: silentLogger, 'processing.exception.handler': 'fail' });
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('k', 'ok', 1);
    expect(() => input.pipeInput('k', 'boom', 2)).toThrow("processor 'KSTREAM-MAPVALUES-0000000001' failed on record in-0@1: bad input (processing.exception.handler=fail)");
  });

  it('a record its serde cannot decode goes to the dead-letter topic', () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, Serdes.Json<{ n: number }>())).mapValues((v) => String(v.n)).to('out');
    const d = new TopologyTestDriver(b.build(), { 'application.id': 'app', logger: silentLogger });
    d.pipeRaw('in', Buffer.from('k'), Buffer.from('{"n":1}'), 1);
    d.pipeRaw('in', Buffer.from('k'), Buffer.from('{oops'), 2);
    d.pipeRaw('in', Buffer.from('k'), Buffer.from('{"n":3}'), 3);
    expect(d.createOutputTopic('out', S, S).readValuesToList()).toEqual(['1', '3']);
    const dlq = d.createOutputTopic('app-dlq', S, S).readRecordsToList();
    expect(dlq.map((r) => r.value)).toEqual(['{oops']);
    expect(dlq[0]!.headers.lastHeader('__streams.errors.topic')?.value?.toString()).toBe('in');
  });
});
