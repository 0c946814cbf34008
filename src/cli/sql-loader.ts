/**
 * `kstream run <file.sql>`: a SQL file as one application. Every persistent query of the file
 * (CREATE STREAM/TABLE AS SELECT, INSERT INTO ... SELECT) becomes a sub-topology of one topology,
 * run with the options of TS topologies. Before anything runs, as ksqlDB executes a script:
 * - every statement is analyzed (a bad one fails with `file:line:col: message` and a caret);
 * - CREATE STREAM/TABLE without AS needs its topic, created when missing if PARTITIONS is given;
 *   sinks of CREATE ... AS SELECT are created with PARTITIONS or their first source's partitions;
 * - DROP ... DELETE TOPIC deletes the topic; INSERT INTO ... VALUES writes its record — once:
 *   re-running the file does not write it again (the state dir remembers executed inserts).
 *
 * The application id is `ksql-<file name>` unless --application-id or the config sets one; internal
 * topics are `<application id>-<QUERY_ID>-<operator>-repartition|changelog`.
 */
import { registryConfigFromProperties } from '../serde/registry/client.js';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { partitionForKey } from '../log/murmur2.js';
import type { Log, ProducedRecord } from '../log/types.js';
import type { Topology } from '../topology/topology.js';
import { SqlError } from '../sql/errors.js';
import { SqlSession } from '../sql/session.js';
import { planScript, type ScriptPlan } from '../sql/planner/script.js';
import { buildScriptTopology } from '../sql/planner/topology.js';
import type { OffsetReset } from '../topology/nodes.js';
import { UserError } from './errors.js';
import { LoggingProcessingLog } from './processing-log.js';
import { consoleLogger } from '../common/logger.js';

export interface LoadedSql {
  /** Null when the file has no persistent query (its statements only declare and insert). */
  readonly topology: Topology | null;
  readonly config: Record<string, unknown>;
  /** Creates topics, deletes dropped ones and writes INSERT VALUES records, on the log the run uses. */
  readonly prepare: (log: Log, config: Record<string, unknown>) => Promise<void>;
  /** The analyzed file, for the HTTP listener's queries (`--listeners`). */
  readonly sql: { readonly session: SqlSession; readonly script: ScriptPlan; readonly offsetReset: OffsetReset };
}

export function sqlApplicationId(file: string): string {
  return `ksql-${basename(file, extname(file)).replace(/[^a-zA-Z0-9._-]/g, '-')}`;
}

/** Settings of SET statements that are Streams settings: `ksql.streams.X` and plain Kafka Streams names. */
function streamsSettings(properties: ReadonlyMap<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of properties) {
    if (k.startsWith('ksql.streams.')) out[k.slice('ksql.streams.'.length)] = v;
    else if (['commit.interval.ms', 'cache.max.bytes.buffering', 'statestore.cache.max.bytes', 'processing.guarantee', 'max.task.idle.ms'].includes(k)) out[k] = v;
  }
  return out;
}

export async function loadSql(file: string, requested: Record<string, unknown>): Promise<LoadedSql> {
  if (!existsSync(file)) throw new UserError(`no such file: ${file}`);
  const text = readFileSync(file, 'utf8');
  // AVRO / PROTOBUF / JSON_SR topics: the registry from --config (`schema.registry.url` or `ksql.schema.registry.url`)
  const registrySettings = { ...requested, 'schema.registry.url': requested['ksql.schema.registry.url'] ?? requested['schema.registry.url'] };
  const schemaRegistry = registryConfigFromProperties(registrySettings);
  const session = new SqlSession(schemaRegistry ? { schemaRegistry } : {});
  const script = planScript(session.execute(text, file));
  const logger = consoleLogger();
  for (const query of script.queries) query.context.logger = new LoggingProcessingLog(query.queryId, logger);
  const properties = script.properties;
  const reset = properties.get('auto.offset.reset') ?? properties.get('ksql.streams.auto.offset.reset');
  const offsetReset: OffsetReset = reset === 'latest' ? 'latest' : 'earliest';
  const topology = script.queries.length === 0 ? null : buildScriptTopology(script.queries, { offsetReset });
  const config: Record<string, unknown> = { 'application.id': sqlApplicationId(file), ...streamsSettings(properties) };
  return { topology, config, prepare: (log, runConfig) => prepareLog(script, text, file, log, runConfig), sql: { session, script, offsetReset } };
}

function positioned(message: string, statement: { pos: SqlError['pos'] }, file: string, text: string): SqlError {
  return new SqlError(message, statement.pos, file, text);
}

async function prepareLog(script: ScriptPlan, text: string, file: string, log: Log, config: Record<string, unknown>): Promise<void> {
  const admin = log.admin();
  const names = new Set<string>([...script.topics.map((t) => t.topic), ...script.deletedTopics]);
  const described = await admin.describeTopics([...names]);
  const partitions = new Map<string, number>();
  for (const [name, d] of described) partitions.set(name, d.partitions);
  const partitionMismatch = (topic: string, expected: number, actual: number, statement: { pos: SqlError['pos'] }) =>
    positioned(
      `A Kafka topic with the name '${topic}' already exists, with different partition/replica configuration than required. KSQL expects ${expected} partitions (topic has ${actual}).`,
      statement,
      file,
      text,
    );
  // 1. Check every declaration against the log (nothing is changed before all pass).
  const toCreate: { name: string; partitions: number }[] = [];
  for (const t of script.topics) {
    const existing = partitions.get(t.topic);
    if (t.sinkOf === undefined) {
      if (existing === undefined) {
        if (t.partitions === undefined) {
          throw positioned(
            `Topic '${t.topic}' does not exist. If you want to create a new topic for the ${t.source.type.toLowerCase()} please re-run the statement providing the required 'PARTITIONS' configuration in the WITH clause (and optionally 'REPLICAS').`,
            t.statement,
            file,
            text,
          );
        }
        partitions.set(t.topic, t.partitions);
        toCreate.push({ name: t.topic, partitions: t.partitions });
      } else if (t.partitions !== undefined && t.partitions !== existing) {
        throw partitionMismatch(t.topic, t.partitions, existing, t.statement);
      }
      continue;
    }
    if (existing !== undefined) {
      if (t.partitions !== undefined && t.partitions !== existing) {
        throw partitionMismatch(t.topic, t.partitions, existing, t.statement);
      }
      continue;
    }
    const first = t.sinkOf.sources[0];
    const n = t.partitions ?? (first ? partitions.get(first.topic) : undefined) ?? 1;
    partitions.set(t.topic, n);
    toCreate.push({ name: t.topic, partitions: n });
  }
  // 2. Apply: topics, deletes, then the INSERT VALUES records not written by an earlier run.
  if (toCreate.length > 0) await admin.createTopics(toCreate);
  const deleted = script.deletedTopics.filter((t) => described.has(t));
  if (deleted.length > 0) await admin.deleteTopics(deleted);
  const appId = typeof config['application.id'] === 'string' ? (config['application.id'] as string) : sqlApplicationId(file);
  const stateDir = typeof config['state.dir'] === 'string' ? (config['state.dir'] as string) : join(typeof config['data.dir'] === 'string' ? (config['data.dir'] as string) : './.kstream', 'state');
  const ledgerFile = join(stateDir, `${appId}.sql-inserts.json`);
  const done = new Set<string>(existsSync(ledgerFile) ? (JSON.parse(readFileSync(ledgerFile, 'utf8')) as string[]) : []);
  const records: ProducedRecord[] = [];
  const ids: string[] = [];
  let roundRobin = 0;
  script.inserts.forEach((ins, i) => {
    const id = createHash('sha256').update(`${i}\u0000${ins.statement.pos.offset}\u0000${text.slice(ins.statement.pos.offset, ins.statement.pos.offset + 2000)}`).digest('hex').slice(0, 32);
    if (done.has(id)) return;
    const r = ins.record;
    const n = partitions.get(r.topic) ?? 1;
    const partition = r.key === null ? roundRobin++ % n : partitionForKey(r.key, n);
    records.push({ topic: r.topic, partition, key: r.key, value: r.value, timestamp: ins.timestamp ?? Date.now() });
    ids.push(id);
  });
  if (records.length > 0) {
    const missing = [...new Set(records.map((r) => r.topic))].filter((t) => !partitions.has(t));
    if (missing.length > 0) await admin.createTopics(missing.map((name) => ({ name, partitions: 1 })));
    await log.append(records);
    mkdirSync(dirname(ledgerFile), { recursive: true });
    writeFileSync(ledgerFile, JSON.stringify([...done, ...ids]));
  }
}
