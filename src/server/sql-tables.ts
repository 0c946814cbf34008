/**
 * The tables a SQL application serves to pull queries: each table built by CREATE TABLE AS
 * SELECT is also read back from its sink topic into a store of its final rows (`<TABLE>-PULL`),
 * so a pull query answers exactly what the sink topic holds per key, with the sink's own key
 * partitioning (ksqlDB reads its materialized state likewise, through the query's transforms).
 * A sink topic that other queries of the script read too is read through their source node (one
 * topology reads a topic through one source node).
 */
import { Materialized, Named } from '../dsl/options.js';
import type { SourceRegistry } from '../sql/planner/sources.js';
import type { SourceInfo } from '../sql/analyzer/logical-plan.js';
import type { Serde } from '../serde/serde.js';
import type { DataSource } from '../sql/analyzer/metastore.js';
import { topicSerdes, type Row } from '../sql/planner/serdes.js';
import { buildScriptTopology } from '../sql/planner/topology.js';
import type { ScriptPlan } from '../sql/planner/script.js';
import type { SqlSession } from '../sql/session.js';
import type { Topology } from '../topology/topology.js';
import type { OffsetReset } from '../topology/nodes.js';
import { queryLogger } from '../sql/planner/context.js';

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

/** The script's CTAS tables. */
export function pullTables(session: SqlSession, script: ScriptPlan): Map<string, PullTable> {
  const out = new Map<string, PullTable>();
  for (const q of script.queries) {
    if (q.kind !== 'CTAS') continue;
    const source = session.metastore.get(q.sink.name);
    if (source === undefined || source.type !== 'TABLE') continue;
    const serdes = topicSerdes(source.schema, source.keyFormat, source.valueFormat, source.window);
    out.set(source.name, { source, storeName: pullStoreName(source.name), keySerde: serdes.key, valueSerde: serdes.value });
  }
  return out;
}

/**
 * The script's topology plus one table per served CTAS table, read from its sink topic. A table
 * whose topic the script also reads with another key layout cannot share that source node: it is
 * left out of `tables` (not served).
 */
export function servingTopology(script: ScriptPlan, tables: Map<string, PullTable>, offsetReset: OffsetReset): Topology {
  return buildScriptTopology(script.queries, {
    offsetReset,
    extend: (_builder, sources: SourceRegistry) => {
      for (const [name, t] of tables) {
        const s = t.source;
        const info: SourceInfo = { name: s.name, type: 'TABLE', topic: s.topic, schema: s.schema, keyFormat: s.keyFormat, valueFormat: s.valueFormat, ...(s.window ? { window: s.window } : {}) };
        let rows;
        try {
          // Decoding errors of the sink's rows go to the processing log of the query that writes it.
          const writer = script.queries.find((q) => q.sink.name === name)!;
          rows = sources.stream(info, { offsetReset: 'earliest', logger: queryLogger(writer) });
        } catch {
          tables.delete(name);
          continue;
        }
        rows.toTable(Named.as(`${t.storeName}-source`), Materialized.as<any, Row>(t.storeName).withKeySerde(t.keySerde).withValueSerde(t.valueSerde));
      }
    },
  });
}
