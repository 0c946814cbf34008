import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  Consumed,
  InvalidStateStoreException,
  KafkaStreams,
  KeyQueryMetadata,
  Materialized,
  Produced,
  QueryableStoreTypes,
  Serdes,
  SessionWindows,
  StoreQueryParameters,
  StreamsBuilder,
  StreamsNotStartedException,
  TimeWindows,
  UnknownStateStoreException,
  WindowedSerdes,
  silentLogger,
} from 'kstream';
import wordcount from '../../examples/wordcount/wordcount.js';
import { partitionForKey } from '../../src/log/murmur2.js';
import { produce, readAll, tempDir } from '../helpers/embedded.js';

const S = Serdes.String();
const L = Serdes.Long();

function countsOf(texts: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of texts) for (const w of t.toLowerCase().split(/\W+/)) if (w) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
}

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

function tryGet(f: () => unknown): unknown {
  try {
    return f();
  } catch {
    return undefined;
  }
}

const TEXTS = ['all streams lead to kafka', 'hello kafka streams', 'join kafka summit', 'kafka streams again', 'hello again'];

describe('interactive queries on the embedded log', () => {
  let dir: string;
  let cleanup: () => void;
  let streams: KafkaStreams | null = null;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(async () => {
    await streams?.close();
    streams = null;
    cleanup();
  });

  const config = (extra: Record<string, unknown> = {}) => ({
    'application.id': 'iq',
    'data.dir': dir,
    'application.server': '127.0.0.1:7070',
    logger: silentLogger,
    ...extra,
  });

  it('reads a count store by key, range, prefix and scan, with timestamps, from every local partition', async () => {
    await produce(dir, 'streams-plaintext-input', TEXTS.map((value, i) => ({ key: null, value, timestamp: 1000 + i })), 3);
    const s = (streams = new KafkaStreams(wordcount(), config()));
    expect(() => s.store(StoreQueryParameters.fromNameAndType('counts-store', QueryableStoreTypes.keyValueStore()))).toThrow(StreamsNotStartedException);
    await s.start();
    const expected = countsOf(TEXTS);
    await until(() => s.state() === 'RUNNING', 'RUNNING');
    const store = s.store(StoreQueryParameters.fromNameAndType('counts-store', QueryableStoreTypes.keyValueStore<string, number>()));
    await until(() => [...expected].every(([w, n]) => tryGet(() => store.get(w)) === n), 'all counts');

    for (const [w, n] of expected) expect(store.get(w)).toBe(n);
    expect(store.get('absent')).toBeNull();
    const all = await collect(store.all());
    expect(new Map(all)).toEqual(expected);
    expect(all).toHaveLength(expected.size);
    expect(store.approximateNumEntries()).toBeGreaterThanOrEqual(expected.size);
    // Ranges are ordered per partition's store, so compare as sets.
    const range = await collect(store.range('h', 'k'));
    expect(new Map(range)).toEqual(new Map([...expected].filter(([w]) => w >= 'h' && w <= 'k')));
    const reverse = await collect(store.reverseRange('a', 'hello'));
    expect(new Map(reverse)).toEqual(new Map([...expected].filter(([w]) => w >= 'a' && w <= 'hello')));
    expect(new Map(await collect(store.prefixScan('a')))).toEqual(new Map([['all', 1], ['again', 2]]));

    const ts = s.store(StoreQueryParameters.fromNameAndType('counts-store', QueryableStoreTypes.timestampedKeyValueStore<string, number>()));
    expect(ts.get('kafka')).toEqual({ value: 4, timestamp: 1003 });

    // A store limited to the partition that owns a key answers it; another partition does not.
    const p = partitionForKey(Buffer.from('kafka'), 3);
    const own = s.store(StoreQueryParameters.fromNameAndType('counts-store', QueryableStoreTypes.keyValueStore<string, number>()).withPartition(p));
    expect(own.get('kafka')).toBe(4);
    const other = s.store(StoreQueryParameters.fromNameAndType('counts-store', QueryableStoreTypes.keyValueStore<string, number>()).withPartition((p + 1) % 3));
    expect(other.get('kafka')).toBeNull();

    // Metadata: this single instance owns every partition of the store's sub-topology.
    for (const w of expected.keys()) {
      const md = s.queryMetadataForKey('counts-store', w, S)!;
      expect(md.activeHost.toString()).toBe('127.0.0.1:7070');
      expect(md.partition).toBe(partitionForKey(Buffer.from(w), 3));
      expect(md.standbyHosts).toEqual([]);
    }
    expect(s.queryMetadataForKey('no-such-store', 'x', S)).toBeNull();
    const clients = s.metadataForAllStreamsClients();
    expect(clients).toHaveLength(1);
    expect(clients[0]!.hostInfo.port).toBe(7070);
    expect([...clients[0]!.stateStoreNames]).toEqual(['counts-store']);
    expect(clients[0]!.topicPartitions.map((tp) => `${tp.topic}-${tp.partition}`).sort()).toEqual([
      'iq-counts-store-repartition-0',
      'iq-counts-store-repartition-1',
      'iq-counts-store-repartition-2',
      'streams-plaintext-input-0',
      'streams-plaintext-input-1',
      'streams-plaintext-input-2',
    ]);
  });

  it('sees cached, uncommitted updates without flushing them downstream', async () => {
    await produce(dir, 'streams-plaintext-input', [{ key: null, value: 'a b a' }]);
    // A commit interval far beyond the test: everything stays in the record cache.
    const s = (streams = new KafkaStreams(wordcount(), config({ 'processing.guarantee': 'at_least_once', 'commit.interval.ms': 600_000 })));
    await s.start();
    await until(() => (s.status()?.processed ?? 0) > 0 && s.state() === 'RUNNING', 'processing');
    const store = s.store(StoreQueryParameters.fromNameAndType('counts-store', QueryableStoreTypes.keyValueStore<string, number>()));
    await until(() => tryGet(() => store.get('a')) === 2, 'count of a');
    expect(store.get('b')).toBe(1);
    expect(new Map(await collect(store.all()))).toEqual(new Map([['a', 2], ['b', 1]]));
    // Nothing was flushed by the reads: the sink has no output before a commit.
    expect(await readAll(dir, 'streams-wordcount-output', S, L)).toEqual([]);
    await s.close();
    streams = null;
    const out = await readAll(dir, 'streams-wordcount-output', S, L);
    expect(out.map((r) => `${r.key}=${r.value}`).sort()).toEqual(['a=2', 'b=1']);
  });

  it('refuses unknown stores, wrong types, and stores while not running', async () => {
    await produce(dir, 'streams-plaintext-input', [{ key: null, value: 'x' }]);
    const s = (streams = new KafkaStreams(wordcount(), config()));
    await s.start();
    // Right after start the worker is still joining and restoring: no store to read yet.
    expect(s.state()).toBe('REBALANCING');
    const early = s.store(StoreQueryParameters.fromNameAndType('counts-store', QueryableStoreTypes.keyValueStore<string, number>()));
    expect(() => early.get('x')).toThrow(InvalidStateStoreException);
    expect(() => early.get('x')).toThrow(/not RUNNING/);
    await until(() => tryGet(() => early.get('x')) === 1, 'count of x');
    expect(() => s.store(StoreQueryParameters.fromNameAndType('nope', QueryableStoreTypes.keyValueStore()))).toThrow(UnknownStateStoreException);
    expect(() => s.store(StoreQueryParameters.fromNameAndType('counts-store', QueryableStoreTypes.windowStore()))).toThrow(/does not accept the actual store type \[keyValue\]/);
    await s.close();
    streams = null;
    expect(() => early.get('x')).toThrow(InvalidStateStoreException);
    expect(() => s.store(StoreQueryParameters.fromNameAndType('counts-store', QueryableStoreTypes.keyValueStore()))).toThrow(/not running. State is NOT_RUNNING/);
  });

  it('reads window and session stores: fetch by key and time, key ranges, fetchAll, backward', async () => {
    const builder = new StreamsBuilder();
    const grouped = builder.stream('in', Consumed.with(S, S)).groupByKey();
    grouped
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 100))
      .count(Materialized.as<string, number>('wcounts'))
      .toStream()
      .to('wout', Produced.with(WindowedSerdes.timeWindowedSerdeFrom(S, 10), L));
    grouped
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 100))
      .count(Materialized.as<string, number>('scounts'))
      .toStream()
      .to('sout', Produced.with(WindowedSerdes.sessionWindowedSerdeFrom(S), L));
    const input = [
      { key: 'a', value: '1', timestamp: 1 },
      { key: 'a', value: '2', timestamp: 3 },
      { key: 'b', value: '3', timestamp: 4 },
      { key: 'a', value: '4', timestamp: 12 },
      { key: 'c', value: '5', timestamp: 25 },
      { key: 'a', value: '6', timestamp: 40 },
    ];
    await produce(dir, 'in', input, 2);
    const s = (streams = new KafkaStreams(builder.build(), config({ 'application.id': 'iqw' })));
    await s.start();
    await until(() => s.state() === 'RUNNING', 'RUNNING');
    const w = s.store(StoreQueryParameters.fromNameAndType('wcounts', QueryableStoreTypes.windowStore<string, number>()));
    await until(() => tryGet(() => w.fetch('a', 40)) === 1, 'last window of a');
    expect(w.fetch('a', 0)).toBe(2);
    expect(w.fetch('a', 0, 100)).toEqual([[0, 2], [10, 1], [40, 1]]);
    expect(w.backwardFetch('a', 0, 100)).toEqual([[40, 1], [10, 1], [0, 2]]);
    expect(w.fetch('a', new Date(5), new Date(15))).toEqual([[10, 1]]);
    const fmt = (rows: Array<readonly [{ key: string; window: { start: number; end: number } }, number]>) =>
      rows.map(([k, v]) => `${k.key}@${k.window.start}/${k.window.end}=${v}`).sort();
    expect(fmt(await w.fetch('a', 'b', 0, 10))).toEqual(['a@0/10=2', 'a@10/20=1', 'b@0/10=1']);
    expect(fmt(await w.fetchAll(10, 30))).toEqual(['a@10/20=1', 'c@20/30=1']);
    expect(fmt(await w.all())).toEqual(['a@0/10=2', 'a@10/20=1', 'a@40/50=1', 'b@0/10=1', 'c@20/30=1']);

    const ss = s.store(StoreQueryParameters.fromNameAndType('scounts', QueryableStoreTypes.sessionStore<string, number>()));
    expect(fmt(ss.fetch('a'))).toEqual(['a@1/3=2', 'a@12/12=1', 'a@40/40=1']);
    expect(fmt(ss.findSessions('a', 10, 20))).toEqual(['a@12/12=1']);
    expect(ss.backwardFetch('a').map(([k]) => k.window.start)).toEqual([40, 12, 1]);
    expect(ss.fetchSession('a', 1, 3)).toBe(2);
    expect(fmt(await ss.fetch('b', 'c'))).toEqual(['b@4/4=1', 'c@25/25=1']);
  });

  it('answers NOT_AVAILABLE metadata without application.server', async () => {
    await produce(dir, 'streams-plaintext-input', [{ key: null, value: 'x' }]);
    const s = (streams = new KafkaStreams(wordcount(), config({ 'application.server': undefined })));
    await s.start();
    await until(() => s.state() === 'RUNNING', 'RUNNING');
    expect(s.queryMetadataForKey('counts-store', 'x', S)).toBe(KeyQueryMetadata.NOT_AVAILABLE);
    expect(s.metadataForAllStreamsClients()).toEqual([]);
    expect(() => new KafkaStreams(wordcount(), config({ 'application.server': 'nohostport' }))).toThrow(/application.server: expected host:port/);
  });
});
