/**
 * AggregateNode → DSL grouping and aggregation, as ksqlDB's StreamGroupBy / StreamAggregate /
 * TableGroupBy / TableAggregate builders do:
 * - streams: `groupByKey` when the grouping is the key, else drop null rows and `groupBy` the
 *   grouping expressions (a row whose grouping has a null is excluded, as ksqlDB logs and drops
 *   it), through a repartition topic named `Aggregate-GroupBy-repartition`;
 * - windows: tumbling / hopping `TimeWindows.ofSizeAndGrace(size, grace)` (default grace: 24 h
 *   minus the size, as ksqlDB), session `SessionWindows.ofInactivityGapAndGrace`, RETENTION as the
 *   store's retention; EMIT FINAL suppresses until the window closes;
 * - tables: `groupBy` to (grouping, row), then `aggregate` with the aggregators' undo as the
 *   subtractor;
 * - the aggregate's state is the array of the aggregators' states; `ToOutputSchema` maps it to
 *   the aggregate row [...grouping values, ...results, (WINDOWSTART, WINDOWEND)].
 */
import { Grouped, Materialized, Named } from '../../dsl/options.js';
import type { KGroupedStream } from '../../dsl/kgrouped-stream.js';
import type { KTable } from '../../dsl/ktable.js';
import { SessionWindows, TimeWindows } from '../../dsl/windows.js';
import type { Windowed } from '../../common/windowed.js';
import type { Aggregator } from '../functions/registry.js';
import type { AggregateCall, AggregateNode } from '../analyzer/logical-plan.js';
import { logError, type Holder, type QueryBuildContext, type RowStream } from './context.js';
import { EmitFinalProcessor, type EmitFinalWindow } from './emit-final.js';
import { Stores } from '../../state/stores.js';
import { internalKeySerde, rowSerde, type Row } from './serdes.js';

/** ksqlDB's grace when a window has no GRACE PERIOD: 24 hours minus the window size, at least 0. */
const DEFAULT_24_HR_GRACE_PERIOD = 24 * 60 * 60 * 1000;

type State = unknown[];

interface Aggregation {
  readonly init: () => State;
  readonly add: (key: unknown, row: Row, state: State) => State;
  readonly undo: (key: unknown, row: Row, state: State) => State;
  readonly merge: (key: unknown, a: State, b: State) => State;
  readonly results: (state: State) => unknown[];
}

/** The argument an aggregator gets: one column's value, several as an array, COUNT(*) null. */
function argumentOf(call: AggregateCall): (row: Row) => unknown {
  const args = call.args;
  if (args.length === 0) return () => null;
  if (args.length === 1) {
    const a = args[0]!;
    return (row) => a.evaluate(row);
  }
  return (row) => args.map((a) => a.evaluate(row));
}

function aggregation(node: AggregateNode, ctx: QueryBuildContext): Aggregation {
  const calls = node.aggregates;
  const aggs: Aggregator[] = calls.map((c) => c.create());
  const argsOf = calls.map(argumentOf);
  const step = (op: 'aggregate' | 'undo') => (_key: unknown, row: Row, state: State): State => {
    const next = state.slice();
    for (let i = 0; i < aggs.length; i++) {
      const agg = aggs[i]!;
      const f = op === 'aggregate' ? agg.aggregate : agg.undo;
      if (f === undefined) continue;
      try {
        next[i] = f.call(agg, argsOf[i]!(row), state[i]);
      } catch (error) {
        logError(ctx, `Failed to ${op === 'aggregate' ? 'aggregate' : 'undo'} ${calls[i]!.sql}`, error);
      }
    }
    return next;
  };
  return {
    init: () => aggs.map((a) => a.initialize()),
    add: step('aggregate'),
    undo: step('undo'),
    merge: (_key, a, b) => a.map((s, i) => {
      const agg = aggs[i]!;
      try {
        return agg.merge ? agg.merge(s, b[i]) : s;
      } catch (error) {
        logError(ctx, `Failed to merge ${calls[i]!.sql}`, error);
        return s;
      }
    }),
    results: (state) =>
      aggs.map((agg, i) => {
        try {
          return agg.result(state[i]);
        } catch (error) {
          logError(ctx, `Failed to compute the result of ${calls[i]!.sql}`, error);
          return null;
        }
      }),
  };
}

/** The grouping of a row, or null when any grouping expression is null (the row is dropped). */
function groupKeyOf(node: AggregateNode, ctx: QueryBuildContext): (row: Row) => Row | null {
  const exprs = node.groupBy;
  return (row) => {
    const key = new Array<unknown>(exprs.length);
    for (let i = 0; i < exprs.length; i++) {
      const v = exprs[i]!.evaluate(row);
      if (v === null || v === undefined) {
        ctx.log.error({
          message: `Group-by column with index ${i} resolved to null. The source row will be excluded from the table.`,
          expression: exprs[i]!.sql,
          error: null,
        });
        return null;
      }
      key[i] = v;
    }
    return key;
  };
}

export function buildAggregate(node: AggregateNode, input: Holder, ctx: QueryBuildContext): Holder {
  const keyColumns = node.schema.columns.slice(0, node.groupBy.length);
  const keySerde = internalKeySerde(keyColumns, ctx.plan.sink.keyFormat);
  const grouped = Grouped.with<Row, Row>(keySerde, rowSerde()).withName(ctx.name('Aggregate-GroupBy'));
  const store = ctx.name('Aggregate-Aggregate-Materialize');
  const agg = aggregation(node, ctx);
  const groupKey = groupKeyOf(node, ctx);
  let table: KTable<any, State>;
  let finals: RowStream | undefined;
  if (input.kind === 'table') {
    const materialized = Materialized.as<Row, State>(store).withKeySerde(keySerde).withValueSerde(rowSerde<State>());
    table = input.table
      .groupBy((_k: unknown, row: Row) => [groupKey(row), row] as [Row | null, Row], grouped as Grouped<any, Row>)
      .aggregate(agg.init, agg.add, agg.undo, materialized as Materialized<any, State>);
  } else {
    const stream = input.stream;
    const g: KGroupedStream<Row, Row> = node.groupByIsSourceKey
      ? (stream.groupByKey(grouped as Grouped<any, Row | null>) as KGroupedStream<Row, Row>)
      : stream.filter((_k: unknown, row: Row | null) => row !== null).groupBy((_k: unknown, row: Row | null) => groupKey(row!) as Row, grouped);
    const w = node.window;
    // ksqlDB: EMIT FINAL without GRACE PERIOD means no grace (RewrittenAnalysis); otherwise 24 h - size.
    const graceOf = (sizeMs: number) => w?.graceMs ?? (ctx.plan.emit === 'FINAL' ? 0 : Math.max(DEFAULT_24_HR_GRACE_PERIOD - sizeMs, 0));
    let materialized = Materialized.as<Row, State>(store).withValueSerde(rowSerde<State>());
    // EMIT FINAL reads every update of the aggregation (Kafka Streams' emit strategy bypasses the cache).
    if (w !== undefined && ctx.plan.emit === 'FINAL') materialized = materialized.withCachingDisabled();
    if (w?.retentionMs !== undefined) materialized = materialized.withRetention(w.retentionMs);
    if (w === undefined) {
      table = g.aggregate(agg.init, agg.add, materialized);
    } else if (w.type === 'SESSION') {
      const grace = graceOf(w.sizeMs);
      table = g.windowedBy(SessionWindows.ofInactivityGapAndGrace(w.sizeMs, grace)).aggregate(agg.init, agg.add, agg.merge, materialized);
    } else {
      const grace = graceOf(w.sizeMs);
      let windows = TimeWindows.ofSizeAndGrace(w.sizeMs, grace);
      if (w.type === 'HOPPING' && w.advanceMs !== undefined) windows = windows.advanceBy(w.advanceMs);
      table = g.windowedBy(windows).aggregate(agg.init, agg.add, materialized);
    }
    if (w !== undefined && ctx.plan.emit === 'FINAL') {
      const grace = graceOf(w.sizeMs);
      const storeName = ctx.name('Aggregate-Aggregate-EmitFinal');
      const codec = rowSerde<any>();
      // In memory (with its changelog), like Kafka Streams' suppression buffer: it holds only open
      // windows, and emitting scans it in order, which a LevelDB store can only do asynchronously.
      ctx.builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(storeName), codec, codec));
      const window: EmitFinalWindow = {
        session: w.type === 'SESSION',
        sizeMs: w.sizeMs,
        advanceMs: w.advanceMs ?? w.sizeMs,
        graceMs: grace,
        retentionMs: w.retentionMs ?? w.sizeMs + grace,
      };
      finals = table.toStream().process(() => new EmitFinalProcessor(storeName, window, keySerde), storeName, Named.as(storeName));
    }
  }
  const n = node.groupBy.length;
  const windowed = node.window !== undefined;
  const width = node.schema.columns.length;
  const toOutput = (state: State, key: unknown): Row => {
    const row = new Array<unknown>(width);
    const k = (windowed ? (key as Windowed<Row>).key : key) as Row | null;
    for (let i = 0; i < n; i++) row[i] = k === null ? null : (k[i] ?? null);
    const results = agg.results(state);
    for (let j = 0; j < results.length; j++) row[n + j] = results[j];
    if (windowed) {
      const win = (key as Windowed<Row>).window;
      row[n + results.length] = BigInt(win.start);
      row[n + results.length + 1] = BigInt(win.end);
    }
    return row;
  };
  const toOutputName = Named.as(ctx.name('Aggregate-Aggregate-ToOutputSchema'));
  if (!node.window) return { kind: 'table', table: table.mapValues(toOutput, toOutputName) };
  const window = node.window.type === 'SESSION' ? { type: 'SESSION' as const } : { type: node.window.type, sizeMs: node.window.sizeMs };
  // Final results are emitted once per window: from here on they flow as a stream (a HAVING that
  // rejects one drops it, as Kafka Streams' filter does with an emit-final aggregation).
  if (finals !== undefined) return { kind: 'stream', stream: finals.mapValues((state: State, key: unknown) => toOutput(state, key), toOutputName), window };
  return { kind: 'table', table: table.mapValues(toOutput, toOutputName), window };
}
