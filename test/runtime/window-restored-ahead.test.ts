/**
 * A windowed aggregation after an at_least_once failover whose changelog got ahead of the committed
 * input offsets (issue 15, part 4): the crashed owner processed records past its last commit, their
 * store updates reached the changelog, their output did not. The next owner restores the store to
 * the changelog end and reprocesses from the committed offsets. Simulated on the embedded log: a
 * first run commits, then the crashed owner's changelog records are appended by hand (and the input
 * records they came from), and a second run restores and reprocesses.
 *
 * - A window the reprocessed record is in, held by the restored store: counted on (the value whose
 *   output was lost never appears, the last count is at least the window's records), not dropped.
 * - Sessions / sliding windows a restore no longer holds (further back than its hold-back): the
 *   record is dropped, never aggregated from scratch as a smaller last value.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Consumed, KafkaStreams, KeyValue, Produced, Serdes, SessionWindows, SlidingWindows, StreamsBuilder, TimeWindows, silentLogger, type Topology } from 'kstream';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import { longBytes } from '../../src/serde/long-bytes.js';
import { RESTORE_HOLD_BACK_MS } from '../../src/state/segmented.js';
import { produce, readAll, tempDir } from '../helpers/embedded.js';

const S = Serdes.String();
const L = Serdes.Long();
const APP = 'ahead';

type Grouped = ReturnType<ReturnType<StreamsBuilder['stream']>['groupByKey']>;

function windowedCount(windowing: (g: Grouped) => any): Topology {
  const builder = new StreamsBuilder();
  const grouped = builder.stream<string, string>('in', Consumed.with(S, S)).groupByKey();
  windowing(grouped as any)
    .count({ storeName: 'counts' })
    .toStream()
    .map((w: { key: string; window: { start: number; end: number } }, n: number | null) => KeyValue.pair(`${w.key}@${w.window.start}`, n))
    .to('out', Produced.with(S, L));
  return builder.build();
}

/** Changelog key of a window store (key ‖ start ‖ seq) or a session store (key ‖ end ‖ start). */
function changelogKey(key: string, a: number, b: number, sessionLayout: boolean): Buffer {
  const k = Buffer.from(key);
  const out = Buffer.alloc(k.length + (sessionLayout ? 16 : 12));
  k.copy(out, 0);
  out.writeBigInt64BE(BigInt(a), k.length);
  if (sessionLayout) out.writeBigInt64BE(BigInt(b), k.length + 8);
  else out.writeUInt32BE(b, k.length + 8);
  return out;
}

type Input = Array<{ key: string; value: string; timestamp: number }>;
type ChangelogWrite = { key: Buffer; count: number | null; timestamp: number };

/** The crashed owner: input records it processed past its last commit, and its acknowledged changelog writes (their output was lost). */
async function crashedOwner(dir: string, input: Input, changelog: ChangelogWrite[]): Promise<void> {
  await produce(dir, 'in', input);
  await appendChangelog(dir, changelog);
}

async function appendChangelog(dir: string, records: ChangelogWrite[]): Promise<void> {
  const log = EmbeddedLog.open(dir);
  try {
    await log.append(records.map((r) => ({ topic: `${APP}-counts-changelog`, partition: 0, key: r.key, value: r.count === null ? null : longBytes(r.count), timestamp: r.timestamp })));
  } finally {
    await log.close();
  }
}

async function run(topology: Topology, dir: string): Promise<void> {
  await new KafkaStreams(topology, {
    'application.id': APP,
    'data.dir': dir,
    logger: silentLogger,
    'statestore.cache.max.bytes': 0,
    'processing.guarantee': 'at_least_once',
  }).run({ untilIdle: true });
}

async function output(dir: string): Promise<string[]> {
  return (await readAll(dir, 'out', S, L)).map((r) => `${r.key}=${r.value}`);
}

// Far enough ahead that a restore keeps nothing of the first records' windows.
const FAR = 1_000 + RESTORE_HOLD_BACK_MS + 120_000;

describe('windowed aggregations restored ahead of the committed offsets (at_least_once failover)', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('kstream-restored-ahead-')));
  afterEach(() => cleanup());

  it('tumbling: a reprocessed record counts on in the window the restored store holds', async () => {
    const topology = () => windowedCount((g) => g.windowedBy(TimeWindows.ofSizeAndGrace(10_000, 5_000)));
    await produce(dir, 'in', [{ key: 'k', value: 'a', timestamp: 1_000 }]);
    await run(topology(), dir);
    // The crashed owner: k@2000 counted (2, output lost), x@60000 counted (1, output lost).
    await crashedOwner(
      dir,
      [
        { key: 'k', value: 'b', timestamp: 2_000 },
        { key: 'x', value: 'c', timestamp: 60_000 },
      ],
      [
        { key: changelogKey('k', 0, 0, false), count: 2, timestamp: 2_000 },
        { key: changelogKey('x', 60_000, 0, false), count: 1, timestamp: 60_000 },
      ],
    );
    await run(topology(), dir);
    // Window 0 ended (by the changelog's stream time 60 s) but is open at the resumed 1 s: counted on.
    expect(await output(dir)).toEqual(['k@0=1', 'k@0=3', 'x@60000=2']);
  });

  it('session: a reprocessed record whose sessions the restore dropped is dropped, not counted as a new session', async () => {
    const topology = () => windowedCount((g) => g.windowedBy(SessionWindows.ofInactivityGapAndGrace(1_000, 5_000)));
    await produce(dir, 'in', [
      { key: 'k', value: 'a', timestamp: 1_000 },
      { key: 'k', value: 'b', timestamp: 1_500 },
    ]);
    await run(topology(), dir);
    const before = await output(dir);
    expect(before).toEqual(['k@1000=1', 'k@1000=null', 'k@1000=2']);
    // The crashed owner: k@2000 merged into [1000,2000] (3), then x far ahead.
    await crashedOwner(
      dir,
      [
        { key: 'k', value: 'c', timestamp: 2_000 },
        { key: 'x', value: 'd', timestamp: FAR },
      ],
      [
        { key: changelogKey('k', 1_500, 1_000, true), count: null, timestamp: 2_000 },
        { key: changelogKey('k', 2_000, 1_000, true), count: 3, timestamp: 2_000 },
        { key: changelogKey('x', FAR, FAR, true), count: 1, timestamp: FAR },
      ],
    );
    await run(topology(), dir);
    // k@2000 is dropped (its session is gone from the restored store); x counts on.
    expect(await output(dir)).toEqual([...before, `x@${FAR}=2`]);
  });

  it('session: within the hold-back the reprocessed record merges into the restored session', async () => {
    const topology = () => windowedCount((g) => g.windowedBy(SessionWindows.ofInactivityGapAndGrace(1_000, 5_000)));
    await produce(dir, 'in', [{ key: 'k', value: 'a', timestamp: 1_000 }]);
    await run(topology(), dir);
    await crashedOwner(
      dir,
      [
        { key: 'k', value: 'b', timestamp: 2_000 },
        { key: 'x', value: 'd', timestamp: 60_000 },
      ],
      [
        { key: changelogKey('k', 1_000, 1_000, true), count: null, timestamp: 2_000 },
        { key: changelogKey('k', 2_000, 1_000, true), count: 2, timestamp: 2_000 },
        { key: changelogKey('x', 60_000, 60_000, true), count: 1, timestamp: 60_000 },
      ],
    );
    await run(topology(), dir);
    expect(await output(dir)).toEqual(['k@1000=1', 'k@1000=null', 'k@1000=3', 'x@60000=2']);
  });

  it('sliding: a reprocessed record whose windows the restore dropped is dropped, not aggregated from scratch', async () => {
    const topology = () => windowedCount((g) => g.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(1_000, 5_000)));
    await produce(dir, 'in', [{ key: 'k', value: 'a', timestamp: 5_000 }]);
    await run(topology(), dir);
    const before = await output(dir);
    expect(before).toEqual(['k@4000=1']);
    // The crashed owner: k@5500 (left window [4500,5500] = 2, right window of 5000 = 1, window 4000 = 2).
    await crashedOwner(
      dir,
      [
        { key: 'k', value: 'b', timestamp: 5_500 },
        { key: 'x', value: 'd', timestamp: FAR },
      ],
      [
        { key: changelogKey('k', 4_000, 0, false), count: 2, timestamp: 5_500 },
        { key: changelogKey('k', 5_001, 0, false), count: 1, timestamp: 5_500 },
        { key: changelogKey('k', 4_500, 0, false), count: 2, timestamp: 5_500 },
        { key: changelogKey('x', FAR - 1_000, 0, false), count: 1, timestamp: FAR },
      ],
    );
    await run(topology(), dir);
    expect(await output(dir)).toEqual([...before, `x@${FAR - 1_000}=2`]);
  });
});
