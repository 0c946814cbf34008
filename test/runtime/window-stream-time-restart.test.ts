/**
 * A windowed aggregation's stream time survives a restart (it is taken from the committed offsets'
 * metadata): a record late for its window before the restart is late after it too, so that the
 * output does not depend on where the application was stopped (issue 15: the chaos test's windowed
 * count once counted a late line that was the first record after a failover).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Consumed, KafkaStreams, KeyValue, Produced, Serdes, SessionWindows, SlidingWindows, StreamsBuilder, TimeWindows, silentLogger, type Topology } from 'kstream';
import { produce, readAll, tempDir } from '../helpers/embedded.js';

const S = Serdes.String();
const L = Serdes.Long();

type Windowing = (g: ReturnType<ReturnType<StreamsBuilder['stream']>['groupByKey']>) => { count(): { toStream(): any } };

function windowedCount(windowing: Windowing): Topology {
  const builder = new StreamsBuilder();
  const grouped = builder.stream<string, string>('in', Consumed.with(S, S)).groupByKey();
  windowing(grouped as any)
    .count()
    .toStream()
    .map((w: { key: string; window: { start: number; end: number } }, n: number | null) => KeyValue.pair(`${w.key}@${w.window.start}`, n))
    .to('out', Produced.with(S, L));
  return builder.build();
}

// With the late record dropped: the output of the records at 3, 12 and 25 only.
const windowings: Array<[string, Windowing, string[]]> = [
  ['tumbling', (g) => g.windowedBy(TimeWindows.ofSizeAndGrace(10, 5)), ['k@0=1', 'k@10=1', 'k@20=1']],
  ['sliding', (g) => g.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 5)), ['k@0=1', 'k@4=1', 'k@2=2', 'k@15=1']],
  ['session', (g) => g.windowedBy(SessionWindows.ofInactivityGapAndGrace(3, 5)), ['k@3=1', 'k@12=1', 'k@25=1']],
];

describe('windowed aggregations across a restart', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('kstream-window-restart-')));
  afterEach(() => cleanup());

  const before = [3, 12, 25].map((t) => ({ key: 'k', value: `v${t}`, timestamp: t }));
  // Late: stream time is 25, so [0,10) closed at 15 (end + grace).
  const late = [{ key: 'k', value: 'v8', timestamp: 8 }];

  async function run(topology: Topology, appId: string, dataDir: string): Promise<void> {
    await new KafkaStreams(topology, { 'application.id': appId, 'data.dir': dataDir, logger: silentLogger, 'statestore.cache.max.bytes': 0 }).run({ untilIdle: true });
  }

  for (const [name, windowing, expected] of windowings) {
    it(`${name}: a record late before the restart is dropped after it, as in a run without one`, async () => {
      await produce(dir, 'in', before);
      await run(windowedCount(windowing), 'restart', dir);
      await produce(dir, 'in', late);
      await run(windowedCount(windowing), 'restart', dir);
      const restarted = (await readAll(dir, 'out', S, L)).map((r) => `${r.key}=${r.value}`);

      const { dir: other, cleanup: cleanupOther } = tempDir('kstream-window-once-');
      try {
        await produce(other, 'in', [...before, ...late]);
        await run(windowedCount(windowing), 'once', other);
        const once = (await readAll(other, 'out', S, L)).map((r) => `${r.key}=${r.value}`);
        expect(once).toEqual(expected);
        expect(restarted).toEqual(expected);
      } finally {
        cleanupOther();
      }
    });
  }
});
