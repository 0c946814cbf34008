/**
 * What the per-node builders share: the DSL stream or table a node produced, and the context of
 * the query being built (builder, shared sources, operator names, processing log).
 */
import type { KStream } from '../../dsl/kstream.js';
import type { KTable } from '../../dsl/ktable.js';
import type { StreamsBuilder } from '../../dsl/streams-builder.js';
import type { OffsetReset } from '../../topology/nodes.js';
import type { WindowInfo } from '../analyzer/metastore.js';
import type { ProcessingLogger } from '../expr/compile.js';
import type { PersistentQueryPlan } from '../analyzer/logical-plan.js';
import type { SourceRegistry } from './sources.js';

/**
 * A node's output. Keys are rows of the node's key columns (null for a record without a key), or
 * `Windowed<Row>` when `window` is set; values are rows of the node's schema (null: a stream
 * record without a value, which only sources produce).
 */
export type Holder =
  | { readonly kind: 'stream'; readonly stream: RowStream; readonly window?: WindowInfo }
  | { readonly kind: 'table'; readonly table: RowTable; readonly window?: WindowInfo };

/**
 * Streams of rows keyed by rows. The DSL's generics are invariant in the value type, and rows flow
 * between operators of several (nullable) row types; the planner's functions type the rows they
 * read and write.
 */
export type RowStream = KStream<any, any>;
export type RowTable = KTable<any, any>;

export interface QueryBuildContext {
  readonly builder: StreamsBuilder;
  readonly sources: SourceRegistry;
  readonly plan: PersistentQueryPlan;
  /** The name of an operator of this query (prefixed by the query id when queries share a topology). */
  readonly name: (op: string) => string;
  readonly offsetReset?: OffsetReset;
  /**
   * Tables read from `offsetReset` too (a push query: ksqlDB's transient queries start tables at
   * `auto.offset.reset`, latest by default); otherwise a table source reads its topic from the start.
   */
  readonly tablesFromOffsetReset?: boolean;
  /** The query's processing log (follows the logger the runtime puts on the query context). */
  readonly log: ProcessingLogger;
}

/** A processing logger that writes to whatever logger the query context holds at the time. */
export function queryLogger(plan: PersistentQueryPlan): ProcessingLogger {
  return { error: (entry) => plan.context.logger.error(entry) };
}

export function logError(ctx: QueryBuildContext, message: string, error: unknown): void {
  ctx.log.error({ message: `${message}: ${(error as Error)?.message ?? String(error)}`, expression: '', error });
}

export function asStream(h: Holder, what: string): RowStream {
  if (h.kind !== 'stream') throw new Error(`internal: ${what} expects a stream input`);
  return h.stream;
}

export function asTable(h: Holder, what: string): RowTable {
  if (h.kind !== 'table') throw new Error(`internal: ${what} expects a table input`);
  return h.table;
}
