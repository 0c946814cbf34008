import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  Consumed,
  JoinWindows,
  KafkaStreams,
  Materialized,
  Produced,
  Serdes,
  SessionWindows,
  StreamJoined,
  StreamsBuilder,
  TimeWindows,
  WindowedSerdes,
  silentLogger,
} from 'kstream';
import { produce, readAll, tempDir } from '../helpers/embedded.js';

const timeSerde = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 10);
const sessionSerde = WindowedSerdes.sessionWindowedSerdeFrom(Serdes.String());

function windowedApp() {
  const builder = new StreamsBuilder();
  const grouped = builder.stream('in', Consumed.with(Serdes.String(), Serdes.String())).groupByKey();
  grouped
    .windowedBy(TimeWindows.ofSizeAndGrace(10, 100))
    .count(Materialized.as<string, number>('wcounts'))
    .toStream()
    .to('wout', Produced.with(timeSerde, Serdes.Long()));
  grouped
    .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 100))
    .count(Materialized.as<string, number>('scounts'))
    .toStream()
    .to('sout', Produced.with(sessionSerde, Serdes.Long()));
  return builder.build();
}

async function run(dir: string, topology = windowedApp(), appId = 'wr'): Promise<void> {
  await new KafkaStreams(topology, { 'application.id': appId, 'data.dir': dir, 'statestore.cache.max.bytes': 0, logger: silentLogger }).run({ untilIdle: true });
}

const fmt = (closed: boolean) => (r: { key: { key: string; window: { start: number; end: number } } | null; value: number | null; timestamp: number }) =>
  `${r.key!.key}@[${r.key!.window.start},${r.key!.window.end}${closed ? ']' : ')'} -> ${r.value} @${r.timestamp}`;

describe('window and session stores on the real runtime (embedded log, LevelDB)', () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  it('restore from their changelogs after the local state directory is deleted', async () => {
    const t = tempDir('kstream-wrestore-');
    cleanup = t.cleanup;
    const dir = t.dir;
    await produce(dir, 'in', [
      { key: 'k', value: 'a', timestamp: 1 },
      { key: 'k', value: 'b', timestamp: 3 },
      { key: 'k', value: 'c', timestamp: 12 },
    ]);
    await run(dir);
    expect(existsSync(join(dir, 'state', 'wr', '0_0', 'wcounts'))).toBe(true);
    expect(existsSync(join(dir, 'state', 'wr', '0_0', 'scounts'))).toBe(true);
    const w1 = (await readAll(dir, 'wout', timeSerde, Serdes.Long())).map(fmt(false));
    const s1 = (await readAll(dir, 'sout', sessionSerde, Serdes.Long())).map(fmt(true));
    expect(w1).toEqual(['k@[0,10) -> 1 @1', 'k@[0,10) -> 2 @3', 'k@[10,20) -> 1 @12']);
    expect(s1).toEqual(['k@[1,1] -> 1 @1', 'k@[1,1] -> null @1', 'k@[1,3] -> 2 @3', 'k@[12,12] -> 1 @12']);

    rmSync(join(dir, 'state'), { recursive: true, force: true });
    await produce(dir, 'in', [
      { key: 'k', value: 'd', timestamp: 5 },
      { key: 'k', value: 'e', timestamp: 9 },
    ]);
    await run(dir);
    const w2 = (await readAll(dir, 'wout', timeSerde, Serdes.Long())).map(fmt(false)).slice(w1.length);
    const s2 = (await readAll(dir, 'sout', sessionSerde, Serdes.Long())).map(fmt(true)).slice(s1.length);
    // Counts continue from the restored windows and sessions.
    expect(w2).toEqual(['k@[0,10) -> 3 @5', 'k@[0,10) -> 4 @9']);
    expect(s2).toEqual([
      'k@[1,3] -> null @3',
      'k@[1,5] -> 3 @5',
      'k@[1,5] -> null @5',
      'k@[12,12] -> null @12',
      'k@[1,12] -> 5 @12',
    ]);
  });

  it('a stream-stream left join restores its window stores and shared store', async () => {
    const t = tempDir('kstream-jrestore-');
    cleanup = t.cleanup;
    const dir = t.dir;
    const app = () => {
      const b = new StreamsBuilder();
      const left = b.stream('left', Consumed.with(Serdes.String(), Serdes.String()));
      const right = b.stream('right', Consumed.with(Serdes.String(), Serdes.String()));
      left
        .leftJoin(right, (l, r) => `${l}|${r}`, JoinWindows.ofTimeDifferenceAndGrace(10, 5), StreamJoined.with(Serdes.String(), Serdes.String(), Serdes.String()))
        .to('out', Produced.with(Serdes.String(), Serdes.String()));
      return b.build();
    };
    const config = {
      'data.dir': dir,
      'statestore.cache.max.bytes': 0,
      '__emit.interval.ms.kstreams.outer.join.spurious.results.fix__': 0,
      logger: silentLogger,
    };
    await produce(dir, 'left', [
      { key: 'A', value: 'l1', timestamp: 100 },
      { key: 'B', value: 'l2', timestamp: 101 },
    ]);
    await produce(dir, 'right', []);
    await new KafkaStreams(app(), { 'application.id': 'jr', ...config }).run({ untilIdle: true });
    expect(await readAll(dir, 'out', Serdes.String(), Serdes.String())).toEqual([]);
    rmSync(join(dir, 'state'), { recursive: true, force: true });
    // A finds l1 in the restored left window store; B's window closes at 101 + 10 + 5 < 200.
    await produce(dir, 'right', [{ key: 'A', value: 'r1', timestamp: 105 }]);
    await new KafkaStreams(app(), { 'application.id': 'jr', ...config }).run({ untilIdle: true });
    await produce(dir, 'left', [{ key: 'C', value: 'l3', timestamp: 200 }]);
    await new KafkaStreams(app(), { 'application.id': 'jr', ...config }).run({ untilIdle: true });
    const out = (await readAll(dir, 'out', Serdes.String(), Serdes.String())).map((r) => `${r.key} -> ${r.value} @${r.timestamp}`);
    expect(out).toEqual(['A -> l1|r1 @105', 'B -> l2|null @101']);
  });
});
