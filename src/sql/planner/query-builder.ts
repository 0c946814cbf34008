/**
 * THE PLANNER: a persistent query's logical plan → DSL calls on a StreamsBuilder, node by node, as
 * ksqlDB's KSPlanBuilder turns execution steps into Kafka Streams calls. There is no other
 * execution path: what runs is the DSL topology this builds.
 *
 * | plan node  | DSL                                                                                 |
 * | ---------- | ----------------------------------------------------------------------------------- |
 * | source     | `builder.stream(topic, Consumed(key/value serdes, TIMESTAMP extractor))` (shared per |
 * |            | topic) → `processValues` adding key and pseudo columns; tables → `toTable(Materialized)` |
 * | filter     | `KStream.filter` (null rows dropped) / `KTable.filter` (retracts rows that leave)  |
 * | flatMap    | `KStream.flatMapValues` (table functions, zipped)                                    |
 * | repartition| `KStream.selectKey` (PARTITION BY; the sink write is the repartition)              |
 * | join       | joins.ts: `join/leftJoin/outerJoin` with JoinWindows / KTable, re-keying first      |
 * | aggregate  | aggregate.ts: `groupByKey/groupBy` → (`windowedBy`) → `aggregate` (→ `suppress`)     |
 * | project    | `mapValues` (stream or table); keys travel unchanged                                 |
 * | sink       | tables `toStream()`; TIMESTAMP → `processValues` re-stamping; `to(topic, Produced)`  |
 */
import { Materialized, Named, Produced } from '../../dsl/options.js';
import type { FilterNode, FlatMapNode, PlanNode, ProjectNode, RepartitionNode, SourceNode } from '../analyzer/logical-plan.js';
import { buildAggregate } from './aggregate.js';
import { asStream, logError, type Holder, type QueryBuildContext, type RowStream } from './context.js';
import { buildJoin } from './joins.js';
import { rowSerde, topicSerdes, windowedKeySerde, type Row } from './serdes.js';
import { SourceRowProcessor } from './source-rows.js';
import { SinkTimestampProcessor } from './timestamps.js';
import type { Serde } from '../../serde/serde.js';

function buildSource(node: SourceNode, ctx: QueryBuildContext): Holder {
  const src = node.source;
  const tableReset = ctx.tablesFromOffsetReset === true ? ctx.offsetReset : 'earliest';
  const decoded = ctx.sources.stream(src, { ...(ctx.offsetReset ? { offsetReset: src.type === 'TABLE' ? tableReset : ctx.offsetReset } : {}), logger: ctx.log });
  const keyCount = src.schema.key.length;
  const valueCount = src.schema.value.length;
  const windowed = src.window !== undefined;
  const rows: RowStream = decoded.processValues(() => new SourceRowProcessor(keyCount, valueCount, windowed));
  const window = src.window;
  if (src.type === 'STREAM') return window ? { kind: 'stream', stream: rows, window } : { kind: 'stream', stream: rows };
  const keySerde: Serde<any> = window ? windowedKeySerde(rowSerde(), window) : rowSerde();
  const table = rows.toTable(Named.as(ctx.name(`${node.id}-Source`)), Materialized.as<any, Row>(ctx.name(`${node.id}-Reduce`)).withKeySerde(keySerde).withValueSerde(rowSerde()));
  return window ? { kind: 'table', table, window } : { kind: 'table', table };
}

function buildFilter(node: FilterNode, input: Holder, ctx: QueryBuildContext): Holder {
  const predicate = node.predicate;
  const named = Named.as(ctx.name(node.id));
  if (input.kind === 'table') return { ...input, table: input.table.filter((_k: unknown, row: Row) => predicate(row), named) };
  return { ...input, stream: input.stream.filter((_k: unknown, row: Row | null) => row !== null && predicate(row), named) };
}

function buildFlatMap(node: FlatMapNode, input: Holder, ctx: QueryBuildContext): Holder {
  const fns = node.functions;
  const inWidth = node.input.schema.columns.length;
  const explode = (row: Row | null): Row[] => {
    if (row === null) return [];
    const lists: (readonly unknown[] | null)[] = new Array(fns.length);
    let n = 0;
    for (let i = 0; i < fns.length; i++) {
      const f = fns[i]!;
      let list: readonly unknown[] | null = null;
      try {
        list = f.apply(f.args.map((a) => a.evaluate(row)));
      } catch (error) {
        logError(ctx, `Error computing table function ${f.sql}`, error);
      }
      lists[i] = list;
      if (list !== null && list.length > n) n = list.length;
    }
    const out: Row[] = new Array(n);
    for (let j = 0; j < n; j++) {
      const r = row.slice(0, inWidth);
      for (let i = 0; i < fns.length; i++) r.push(lists[i]?.[j] ?? null);
      out[j] = r;
    }
    return out;
  };
  const stream = asStream(input, 'a table function');
  return { kind: 'stream', stream: stream.flatMapValues((row: Row | null) => explode(row), Named.as(ctx.name(node.id))) };
}

function buildRepartition(node: RepartitionNode, input: Holder, ctx: QueryBuildContext): Holder {
  const keys = node.keys;
  const keyOnly = node.keyColumnsOnly;
  const width = node.input.schema.columns.length;
  const stream = asStream(input, 'PARTITION BY');
  const newKey = (k: Row | null, row: Row | null): Row | null => {
    if (keys.length === 0) return null;
    let evalRow = row;
    if (row === null) {
      // A record without a value: ksqlDB computes key-only expressions from the key, others are null.
      evalRow = new Array<unknown>(width).fill(null);
      if (k !== null) for (let i = 0; i < k.length; i++) evalRow[i] = k[i] ?? null;
    }
    const out = new Array<unknown>(keys.length);
    for (let i = 0; i < keys.length; i++) out[i] = row === null && !keyOnly[i] ? null : keys[i]!.evaluate(evalRow!);
    return out;
  };
  return { kind: 'stream', stream: stream.selectKey((k: Row | null, row: Row | null) => newKey(k, row), Named.as(ctx.name(`${node.id}-SelectKey`))) };
}

function buildProject(node: ProjectNode, input: Holder, ctx: QueryBuildContext): Holder {
  const values = node.value.map((c) => c.expr);
  const project = (row: Row): Row => {
    const out = new Array<unknown>(values.length);
    for (let i = 0; i < values.length; i++) out[i] = values[i]!.evaluate(row);
    return out;
  };
  const named = Named.as(ctx.name(node.id));
  if (input.kind === 'table') return { ...input, table: input.table.mapValues((row: Row) => project(row), named) };
  return { ...input, stream: input.stream.mapValues((row: Row | null) => (row === null ? null : project(row)), named) };
}

/** Builds the DSL for a plan node and its inputs. */
export function buildNode(node: PlanNode, ctx: QueryBuildContext): Holder {
  switch (node.kind) {
    case 'source':
      return buildSource(node, ctx);
    case 'filter':
      return buildFilter(node, buildNode(node.input, ctx), ctx);
    case 'flatMap':
      return buildFlatMap(node, buildNode(node.input, ctx), ctx);
    case 'repartition':
      return buildRepartition(node, buildNode(node.input, ctx), ctx);
    case 'aggregate':
      return buildAggregate(node, buildNode(node.input, ctx), ctx);
    case 'join':
      return buildJoin(node, buildNode(node.left, ctx), buildNode(node.right, ctx), ctx);
    case 'project':
      return buildProject(node, buildNode(node.input, ctx), ctx);
  }
}

/** Builds one persistent query: its plan, then the write to its sink topic. */
export function buildQuery(ctx: QueryBuildContext): void {
  const { plan } = ctx;
  const sink = plan.sink;
  const result = buildNode(plan.root, ctx);
  let stream: RowStream = result.kind === 'table' ? result.table.toStream() : result.stream;
  const tc = sink.timestampColumn;
  if (tc !== undefined) {
    const keyIndex = sink.schema.key.findIndex((c) => c.name === tc.name);
    const index = keyIndex >= 0 ? keyIndex : sink.schema.value.findIndex((c) => c.name === tc.name);
    const log = ctx.log;
    stream = stream.processValues(() => new SinkTimestampProcessor(index, keyIndex >= 0, tc.format, log), Named.as(ctx.name(`ApplyTimestampTransform-${sink.name}`)));
  }
  const serdes = topicSerdes(sink.schema, sink.keyFormat, sink.valueFormat, result.window ?? sink.window);
  stream.to(sink.topic, Produced.with(serdes.key, serdes.value));
}
