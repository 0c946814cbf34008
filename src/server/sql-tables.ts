/**
 * The tables a SQL application serves to pull queries: each table built by CREATE TABLE AS
 * SELECT is also read back from its sink topic into a store of its final rows (`<TABLE>-PULL`),
 * so a pull query answers exactly what the sink topic holds per key, with the sink's own key
 * partitioning (ksqlDB reads its materialized state likewise, through the query's transforms).
 */
import { Consumed, Materialized } from '../dsl/options.js';
import type { StreamsBuilder } from '../dsl/streams-builder.js';
import type { Serde } from '../serde/serde.js';
import type { DataSource } from '../sql/analyzer/metastore.js';
import { topicSerdes, type Row } from '../sql/planner/serdes.js';
import { buildScriptTopology } from '../sql/planner/topology.js';
import type { ScriptPlan } from '../sql/planner/script.js';
import type { SqlSession } from '../sql/session.js';
import type { Topology } from '../topology/topology.js';
import type { OffsetReset } from '../topology/nodes.js';

export interface PullTable {
  readonly source: DataSource;
  readonly storeName: string;
  /** Row of key columns, or Windowed<Row> for windowed tables. */
  readonly keySerde: Serde<any>;
  readonly valueSerde: Serde<Row>;
}

export function pullStoreName(table: string): string {
  return `${table}-PULL`;
}

/** CTAS tables whose sink topic no other query of the script reads (one topic has one source node). */
export function pullTables(session: SqlSession, script: ScriptPlan): Map<string, PullTable> {
  const readTopics = new Set(script.queries.flatMap((q) => q.sources.map((s) => s.topic)));
  const out = new Map<string, PullTable>();
  for (const q of script.queries) {
    if (q.kind !== 'CTAS' || readTopics.has(q.sink.topic)) continue;
    const source = session.metastore.get(q.sink.name);
    if (source === undefined || source.type !== 'TABLE') continue;
    const serdes = topicSerdes(source.schema, source.keyFormat, source.valueFormat, source.window);
    out.set(source.name, { source, storeName: pullStoreName(source.name), keySerde: serdes.key, valueSerde: serdes.value });
  }
  return out;
}

/** The script's topology plus one table per served CTAS table, read from its sink topic. */
export function servingTopology(script: ScriptPlan, tables: ReadonlyMap<string, PullTable>, offsetReset: OffsetReset): Topology {
  return buildScriptTopology(script.queries, {
    offsetReset,
    extend: (builder: StreamsBuilder) => {
      for (const t of tables.values()) {
        builder.table(t.source.topic, Consumed.with(t.keySerde, t.valueSerde), Materialized.as<any, Row>(t.storeName).withKeySerde(t.keySerde).withValueSerde(t.valueSerde));
      }
    },
  });
}
