/**
 * The named topologies of the differential suite, built with kstream's DSL. Each has a twin of the same
 * name in java/src/main/java/kstream/differential/Topologies.java; the two must stay the same topology.
 * Input values are strings like "b3" (a letter and a digit); every function is null-safe because inputs
 * carry null values on every topic.
 */
import {
  Branched,
  BufferConfig,
  type FixedKeyProcessorContext,
  type FixedKeyRecord,
  type KGroupedStream,
  type KeyValueStore,
  JoinWindows,
  KeyValue,
  type KStream,
  Materialized,
  type KTable,
  Named,
  type Processor,
  type ProcessorContext,
  Produced,
  PunctuationType,
  Repartitioned,
  Serdes,
  SessionWindows,
  SlidingWindows,
  StreamRecord,
  Stores,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  type Topology,
  type Windowed,
} from '../../src/index.js';

/** How a topology's output topic's values are encoded. */
export type OutputKind = 'string' | 'long';

export interface TopologySpec {
  readonly name: string;
  /** Stream topics get null values rarely, table topics often (tombstones). */
  readonly streams: readonly string[];
  readonly tables: readonly string[];
  readonly outputs: ReadonlyArray<{ topic: string; value: OutputKind }>;
  /** The generator inserts wall-clock advances between records. */
  readonly wallClock?: boolean;
  readonly build: () => Topology;
}

const joiner = (l: string | null, r: string | null): string => `${l}+${r}`;
// keys may be null (a null key passes through stateless operators), values are counts and sums
const LONG_OUT: Produced<any, number> = Produced.with(Serdes.String(), Serdes.Long());

export function digit(v: string | null): number {
  if (v === null || v.length === 0) return 0;
  const c = v.charCodeAt(v.length - 1) - 48;
  return c >= 0 && c <= 9 ? c : 0;
}

function first(v: string | null): string {
  return v === null || v.length === 0 ? '_' : v.substring(0, 1);
}

function windowKey(w: Windowed<string>): string {
  return `${w.key}@${w.window.start}/${w.window.end}`;
}

function windowedOut(t: KTable<Windowed<string>, any>, kind: OutputKind): void {
  t.toStream()
    .selectKey((w) => windowKey(w))
    .to('out', kind === 'long' ? LONG_OUT : undefined);
}

function ssJoin(kind: 'inner' | 'left' | 'outer', w: JoinWindows): Topology {
  const b = new StreamsBuilder();
  const left = b.stream<string, string>('left');
  const right = b.stream<string, string>('right');
  const joined =
    kind === 'inner' ? left.join(right, joiner, w) : kind === 'left' ? left.leftJoin(right, joiner, w) : left.outerJoin(right, joiner, w);
  joined.to('out');
  return b.build();
}

function ttJoin(kind: 'inner' | 'left' | 'outer'): Topology {
  const b = new StreamsBuilder();
  const left = b.table<string, string>('tleft');
  const right = b.table<string, string>('tright');
  const joined =
    kind === 'inner' ? left.join(right, joiner) : kind === 'left' ? left.leftJoin(right, joiner) : left.outerJoin(right, joiner);
  joined.toStream().to('out');
  return b.build();
}

function stJoin(kind: 'inner' | 'left'): Topology {
  const b = new StreamsBuilder();
  const t = b.table<string, string>('tright');
  const s = b.stream<string, string>('left');
  (kind === 'inner' ? s.join(t, joiner) : s.leftJoin(t, joiner)).to('out');
  return b.build();
}

function grouped(build: (s: KStream<string, string>) => void): () => Topology {
  return () => {
    const b = new StreamsBuilder();
    build(b.stream<string, string>('in'));
    return b.build();
  };
}

/** Counts per key in a store; stream-time punctuation emits every count, wall-clock the total. */
class PunctuatingCounter implements Processor<string, string, string, string> {
  private context!: ProcessorContext<string, string>;
  private store!: KeyValueStore<string, number>;

  init(context: ProcessorContext<string, string>): void {
    this.context = context;
    this.store = context.getStateStore('pcounts');
    context.schedule(10_000, PunctuationType.STREAM_TIME, (ts) => {
      for (const [k, n] of this.store.all()) context.forward(new StreamRecord(k, `st:${n}`, ts));
    });
    context.schedule(60_000, PunctuationType.WALL_CLOCK_TIME, (ts) => {
      let total = 0;
      for (const [, n] of this.store.all()) total += n;
      context.forward(new StreamRecord('wall', `wc:${total}`, ts));
    });
  }

  process(record: StreamRecord<string, string>): void {
    if (record.key === null) return;
    this.store.put(record.key, (this.store.get(record.key) ?? 0) + 1);
    this.context.forward(record.withValue(`seen:${record.value}`));
  }
}

const stream = (name: string, build: () => Topology, outputs: TopologySpec['outputs'] = [{ topic: 'out', value: 'string' }]): TopologySpec => ({
  name,
  streams: ['in'],
  tables: [],
  outputs,
  build,
});
const longOut = [{ topic: 'out', value: 'long' as const }];
const concat = (a: string, v: string): string => `${a},${v}`;
const zero = (): number => 0;
const sum = (_k: string, v: string, agg: number): number => agg + digit(v);
/** Table "tin" through `ops`, its changes written to "out". */
const table = (name: string, ops: (t: KTable<string, string>) => KTable<string, string>): TopologySpec => ({
  name,
  streams: [],
  tables: ['tin'],
  outputs: [{ topic: 'out', value: 'string' }],
  build: () => {
    const b = new StreamsBuilder();
    ops(b.table<string, string>('tin'))
      .toStream()
      .to('out');
    return b.build();
  },
});
/** "in" grouped by key, aggregated per window; the window is written into the output key. */
const windowed = (name: string, kind: OutputKind, aggregate: (g: KGroupedStream<string, string>) => KTable<Windowed<string>, any>): TopologySpec =>
  stream(
    name,
    grouped((s) => windowedOut(aggregate(s.groupByKey()), kind)),
    kind === 'long' ? longOut : undefined,
  );
const ss = (name: string, kind: 'inner' | 'left' | 'outer', w: () => JoinWindows): TopologySpec => ({
  name,
  streams: ['left', 'right'],
  tables: [],
  outputs: [{ topic: 'out', value: 'string' }],
  build: () => ssJoin(kind, w()),
});
const tt = (name: string, kind: 'inner' | 'left' | 'outer'): TopologySpec => ({
  name,
  streams: [],
  tables: ['tleft', 'tright'],
  outputs: [{ topic: 'out', value: 'string' }],
  build: () => ttJoin(kind),
});
const st = (name: string, kind: 'inner' | 'left'): TopologySpec => ({
  name,
  streams: ['left'],
  tables: ['tright'],
  outputs: [{ topic: 'out', value: 'string' }],
  build: () => stJoin(kind),
});

export const TOPOLOGIES: readonly TopologySpec[] = [
  stream(
    'stateless-a',
    grouped((s) =>
      s
        .filter((_k, v) => v === null || digit(v) % 3 !== 0)
        .mapValues((v) => (v === null ? 'N' : `${v}!`))
        .flatMapValues((v, k) => [v, k === null ? 'nk' : k])
        .to('out'),
    ),
  ),
  stream(
    'stateless-b',
    grouped((s) =>
      s
        .filterNot((k) => k === 'k3')
        .map((k, v) => KeyValue.pair(v === null ? null : first(v), k))
        .flatMap((k, v) => (v === 'k1' ? [KeyValue.pair(k, v), KeyValue.pair<string | null, string | null>(v, k)] : [KeyValue.pair(k, v)]))
        .selectKey((k) => (k === null ? 'nokey' : `${k}s`))
        .peek(() => undefined)
        .to('out'),
    ),
  ),
  stream(
    'branch-merge',
    grouped((s) => {
      const branches = s
        .split(Named.as('br-'))
        .branch((_k, v) => v !== null && v.startsWith('a'), Branched.as('a'))
        .branch((_k, v) => digit(v) % 2 === 0, Branched.withConsumer((b) => b.mapValues((v) => `even:${v}`).to('out-even')))
        .defaultBranch(Branched.as('rest'));
      const a = branches.get('br-a') as KStream<string, string>;
      const rest = branches.get('br-rest') as KStream<string, string>;
      a.to('out-a');
      a.merge(rest)
        .mapValues((v) => `m:${v}`)
        .to('out-merged');
    }),
    [
      { topic: 'out-a', value: 'string' },
      { topic: 'out-even', value: 'string' },
      { topic: 'out-merged', value: 'string' },
    ],
  ),
  stream(
    'repartition-count',
    grouped((s) =>
      s
        .selectKey((_k, v) => first(v))
        .repartition(Repartitioned.as('rekeyed'))
        .groupByKey()
        .count()
        .toStream()
        .to('out', LONG_OUT),
    ),
    longOut,
  ),
  stream(
    'groupby-count',
    grouped((s) =>
      s
        .groupBy((_k, v) => (v === null ? null : first(v)))
        .count()
        .toStream()
        .to('out', LONG_OUT),
    ),
    longOut,
  ),
  stream(
    'groupbykey-reduce',
    grouped((s) =>
      s
        .groupByKey()
        .reduce((a, v) => `${a},${v}`)
        .toStream()
        .to('out'),
    ),
  ),
  stream(
    'groupbykey-aggregate',
    grouped((s) =>
      s
        .groupByKey()
        .aggregate(
          () => 100,
          (_k, v, agg) => agg + digit(v),
        )
        .toStream()
        .to('out', LONG_OUT),
    ),
    longOut,
  ),
  table('table-ops', (t) =>
    t
      .filter((_k, v) => digit(v) !== 5)
      .mapValues((v) => `${v}~`)
      .filterNot((_k, v) => v.startsWith('c')),
  ),
  {
    name: 'table-groupby-aggregate',
    streams: [],
    tables: ['tin'],
    outputs: longOut,
    build: () => {
      const b = new StreamsBuilder();
      b.table<string, string>('tin')
        .groupBy((_k, v) => KeyValue.pair(first(v), v))
        .aggregate(
          () => 0,
          (_k, v, agg) => agg + digit(v),
          (_k, v, agg) => agg - digit(v),
        )
        .toStream()
        .to('out', LONG_OUT);
      return b.build();
    },
  },
  {
    name: 'table-groupby-count-reduce',
    streams: [],
    tables: ['tin'],
    outputs: [
      { topic: 'out-count', value: 'long' },
      { topic: 'out-reduce', value: 'string' },
    ],
    build: () => {
      const b = new StreamsBuilder();
      const t = b.table<string, string>('tin');
      t.groupBy((_k, v) => KeyValue.pair(first(v), v))
        .count()
        .toStream()
        .to('out-count', LONG_OUT);
      t.groupBy((_k, v) => KeyValue.pair(first(v), String(digit(v))))
        .reduce(
          (a, v) => String(Number(a) + Number(v)),
          (a, v) => String(Number(a) - Number(v)),
        )
        .toStream()
        .to('out-reduce');
      return b.build();
    },
  },
  stream(
    'to-table',
    grouped((s) =>
      s
        .toTable()
        .filter((_k, v) => digit(v) % 2 === 1)
        .toStream()
        .to('out'),
    ),
  ),
  windowed('tumbling-count-nograce', 'long', (g) => g.windowedBy(TimeWindows.ofSizeWithNoGrace(10_000)).count()),
  windowed('tumbling-reduce-grace', 'string', (g) => g.windowedBy(TimeWindows.ofSizeAndGrace(10_000, 3_000)).reduce(concat)),
  windowed('hopping-aggregate', 'long', (g) => g.windowedBy(TimeWindows.ofSizeAndGrace(10_000, 2_000).advanceBy(5_000)).aggregate(zero, sum)),
  windowed('sliding-count', 'long', (g) => g.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(5_000, 3_000)).count()),
  windowed('sliding-reduce', 'string', (g) => g.windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(4_000)).reduce(concat)),
  windowed('session-count', 'long', (g) => g.windowedBy(SessionWindows.ofInactivityGapAndGrace(5_000, 2_000)).count()),
  windowed('session-reduce', 'string', (g) => g.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(4_000)).reduce(concat)),
  windowed('session-aggregate', 'long', (g) =>
    g.windowedBy(SessionWindows.ofInactivityGapAndGrace(5_000, 3_000)).aggregate(zero, sum, (_k, a1: number, a2: number) => a1 + a2),
  ),
  windowed('suppress-tumbling', 'long', (g) =>
    g.windowedBy(TimeWindows.ofSizeAndGrace(10_000, 2_000)).count().suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())),
  ),
  windowed('suppress-session', 'string', (g) =>
    g
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(5_000, 1_000))
      .reduce(concat)
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())),
  ),
  ss('ss-inner', 'inner', () => JoinWindows.ofTimeDifferenceAndGrace(5_000, 3_000)),
  ss('ss-left', 'left', () => JoinWindows.ofTimeDifferenceAndGrace(5_000, 3_000)),
  ss('ss-outer', 'outer', () => JoinWindows.ofTimeDifferenceAndGrace(5_000, 3_000)),
  ss('ss-inner-nograce', 'inner', () => JoinWindows.ofTimeDifferenceWithNoGrace(4_000)),
  ss('ss-left-nograce', 'left', () => JoinWindows.ofTimeDifferenceWithNoGrace(4_000)),
  ss('ss-outer-nograce', 'outer', () => JoinWindows.ofTimeDifferenceWithNoGrace(4_000)),
  ss('ss-inner-asym', 'inner', () => JoinWindows.ofTimeDifferenceAndGrace(5_000, 2_000).before(1_000)),
  ss('ss-left-asym', 'left', () => JoinWindows.ofTimeDifferenceAndGrace(5_000, 2_000).after(2_000)),
  ss('ss-outer-asym', 'outer', () => JoinWindows.ofTimeDifferenceAndGrace(6_000, 2_000).before(1_000)),
  ss('ss-outer-asym-after', 'outer', () => JoinWindows.ofTimeDifferenceAndGrace(6_000, 1_000).after(0)),
  st('stream-table-join', 'inner'),
  st('stream-table-leftjoin', 'left'),
  tt('table-table-join', 'inner'),
  tt('table-table-leftjoin', 'left'),
  tt('table-table-outerjoin', 'outer'),
  table('table-materialized-ops', (t) =>
    t.filter((_k, v) => digit(v) !== 4, Materialized.as('filtered')).mapValues((v) => `${v}^`, Materialized.as('mapped')),
  ),
  {
    name: 'table-table-join-materialized',
    streams: [],
    tables: ['tleft', 'tright'],
    outputs: [{ topic: 'out', value: 'string' }],
    build: () => {
      const b = new StreamsBuilder();
      const left = b.table<string, string>('tleft');
      const right = b.table<string, string>('tright');
      left
        .leftJoin(right, joiner, Materialized.as('joined'))
        .toStream()
        .to('out');
      return b.build();
    },
  },
  {
    name: 'stream-table-rekeyed',
    streams: ['left'],
    tables: ['tright'],
    outputs: [{ topic: 'out', value: 'string' }],
    build: () => {
      const b = new StreamsBuilder();
      const t = b.table<string, string>('tright');
      b.stream<string, string>('left')
        .selectKey((_k, v) => `k${digit(v) % 4}`)
        .leftJoin(t, joiner)
        .to('out');
      return b.build();
    },
  },
  {
    name: 'ss-join-rekeyed',
    streams: ['left', 'right'],
    tables: [],
    outputs: [{ topic: 'out', value: 'string' }],
    build: () => {
      const b = new StreamsBuilder();
      const left = b.stream<string, string>('left').selectKey((_k, v) => `k${digit(v) % 3}`);
      const right = b.stream<string, string>('right').selectKey((_k, v) => `k${digit(v) % 3}`);
      left.leftJoin(right, joiner, JoinWindows.ofTimeDifferenceAndGrace(3_000, 1_000)).to('out');
      return b.build();
    },
  },
  stream(
    'process-values',
    grouped((s) =>
      s
        .processValues(() => {
          let context: FixedKeyProcessorContext<string, string>;
          return {
            init: (ctx: FixedKeyProcessorContext<string, string>) => {
              context = ctx;
            },
            process: (r: FixedKeyRecord<string, string>) => context.forward(r.withValue(`${r.value}@${r.timestamp}`).withTimestamp(r.timestamp + 1)),
          };
        })
        .to('out'),
    ),
  ),
  stream(
    'topic-extractor',
    grouped((s) =>
      s
        .mapValues((v) => (v === null ? 'N' : v))
        .to((_k, v) => (digit(v) % 2 === 0 ? 'out-even' : 'out-odd')),
    ),
    [
      { topic: 'out-even', value: 'string' },
      { topic: 'out-odd', value: 'string' },
    ],
  ),
  {
    name: 'merge-sources-count',
    streams: ['in', 'in2'],
    tables: [],
    outputs: longOut,
    build: () => {
      const b = new StreamsBuilder();
      b.stream<string, string>('in')
        .merge(b.stream<string, string>('in2'))
        .groupByKey()
        .count()
        .toStream()
        .to('out', LONG_OUT);
      return b.build();
    },
  },
  windowed('hopping-count-nograce', 'long', (g) => g.windowedBy(TimeWindows.ofSizeWithNoGrace(10_000).advanceBy(3_000)).count()),
  windowed('sliding-aggregate-grace', 'long', (g) => g.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(3_000, 1_000)).aggregate(zero, sum)),
  {
    name: 'count-table-join',
    streams: ['in', 'left'],
    tables: [],
    outputs: [{ topic: 'out', value: 'string' }],
    build: () => {
      const b = new StreamsBuilder();
      const counts = b.stream<string, string>('in').groupByKey().count();
      b.stream<string, string>('left')
        .join(counts, (v, c) => `${v}#${c}`)
        .to('out');
      return b.build();
    },
  },
  stream(
    'flatmap-nullkeys-count',
    grouped((s) =>
      s
        .flatMap((k, v) => [KeyValue.pair<string | null, string>(digit(v) % 3 === 0 ? null : first(v), v), KeyValue.pair(k, v)])
        .groupByKey()
        .count()
        .toStream()
        .to('out', LONG_OUT),
    ),
    longOut,
  ),
  {
    name: 'aggregate-table-join',
    streams: ['in', 'in2'],
    tables: [],
    outputs: [{ topic: 'out', value: 'string' }],
    build: () => {
      const b = new StreamsBuilder();
      const counts = b.stream<string, string>('in').groupByKey().count();
      const sums = b.stream<string, string>('in2').groupByKey().aggregate(zero, sum);
      counts
        .outerJoin(sums, (c, t) => `${c}/${t}`)
        .toStream()
        .to('out');
      return b.build();
    },
  },
  {
    name: 'table-tostream-reduce',
    streams: [],
    tables: ['tin'],
    outputs: [{ topic: 'out', value: 'string' }],
    build: () => {
      const b = new StreamsBuilder();
      b.table<string, string>('tin')
        .toStream()
        .groupByKey()
        .reduce(concat)
        .toStream()
        .to('out');
      return b.build();
    },
  },
  {
    name: 'processor-punctuate',
    streams: ['in'],
    tables: [],
    outputs: [{ topic: 'out', value: 'string' }],
    wallClock: true,
    build: () => {
      const b = new StreamsBuilder();
      b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('pcounts'), Serdes.String(), Serdes.Long()));
      b.stream<string, string>('in')
        .process(() => new PunctuatingCounter(), 'pcounts')
        .to('out');
      return b.build();
    },
  },
];

export function topologyByName(name: string): TopologySpec {
  const spec = TOPOLOGIES.find((t) => t.name === name);
  if (spec === undefined) throw new Error(`unknown differential topology: ${name}`);
  return spec;
}
