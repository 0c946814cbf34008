/**
 * Push queries (`SELECT ... EMIT CHANGES [LIMIT n]`): the query is analyzed and planned by the SQL
 * front end as a persistent query would be, then run as a transient application on the running
 * application's log (its own application id, reading the file's topics from their end, record
 * cache off so every change is pushed); instead of a sink topic, each result row goes to the
 * client. Closing the query stops the transient application and deletes its internal topics and
 * its consumer group.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import { Windowed } from '../common/windowed.js';
import type { Log } from '../log/types.js';
import { KafkaStreams } from '../runtime/kafka-streams.js';
import type { Logger } from '../common/logger.js';
import type { Topology } from '../topology/topology.js';
import { analyzeQuery } from '../sql/analyzer/query-analyzer.js';
import { QueryContext, type Row } from '../sql/expr/compile.js';
import type { Query } from '../sql/parser/ast.js';
import type { PersistentQueryPlan } from '../sql/analyzer/logical-plan.js';
import { buildNode } from '../sql/planner/query-builder.js';
import { SourceRegistry } from '../sql/planner/sources.js';
import type { SqlSession } from '../sql/session.js';
import { formatType } from '../sql/types/sql-type.js';
import { toJsonValue } from './json-values.js';
import type { ResultHeader } from './pull-query.js';

export interface PushQueryOptions {
  readonly session: SqlSession;
  readonly log: Log;
  readonly applicationId: string;
  /** data.dir of the application (the embedded log's lock lives there). */
  readonly dataDir: string;
  readonly queryId: string;
  readonly query: Query;
  readonly sql: string;
  /** Query properties: `auto.offset.reset` (default latest, as ksqlDB's push queries). */
  readonly properties: Readonly<Record<string, unknown>>;
  readonly logger: Logger;
  /** Each result row (JSON values); called from the transient application's processing. */
  readonly onRow: (row: unknown[]) => void;
}

export interface PushQuery {
  readonly header: ResultHeader;
  /** What the transient application runs. */
  readonly topology: Topology;
  readonly limit: number | undefined;
  /** Starts the transient application; resolves once it reads its inputs. */
  start(): Promise<void>;
  /** Resolves when the transient application stops on its own (an error). */
  readonly stopped: Promise<void>;
  close(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;
const TRANSIENT_COMMIT_INTERVAL_MS = 60_000;

export function planPushQuery(o: PushQueryOptions): PushQuery {
  const { limit: _limit, emit: _emit, ...persistentForm } = o.query;
  const context = new QueryContext({ error: (entry) => o.logger.warn(`push query ${o.queryId}: ${entry.message}`) }, new Map(o.session.properties));
  const q = analyzeQuery(persistentForm, { registry: o.session.registry, metastore: o.session.metastore, ctx: context, sinkName: o.queryId, statement: 'SELECT', pull: true });
  const left = q.leftSource;
  const plan: PersistentQueryPlan = {
    queryId: o.queryId,
    kind: q.resultType === 'TABLE' ? 'CTAS' : 'CSAS',
    sql: o.sql,
    sources: q.sources,
    root: q.root,
    sink: {
      name: o.queryId,
      type: q.resultType,
      topic: o.queryId,
      schema: { key: q.key.map((c) => ({ name: c.name, type: c.type, role: 'KEY' as const })), value: q.value.map((c) => ({ name: c.name, type: c.type, role: 'VALUE' as const })) },
      keyFormat: left.keyFormat,
      valueFormat: left.valueFormat,
      ...(q.window ? { window: q.window } : {}),
      existing: false,
    },
    emit: q.emit,
    context,
  };
  const offsetReset = o.properties['auto.offset.reset'] === 'earliest' ? 'earliest' : 'latest';
  const builder = new StreamsBuilder();
  const sources = new SourceRegistry(builder);
  sources.declare(plan.sources);
  const result = buildNode(plan.root, { builder, sources, plan, name: (op) => op, offsetReset, tablesFromOffsetReset: true, log: { error: (entry) => context.logger.error(entry) } });
  const keyColumns = q.key;
  const valueColumns = q.value;
  const onRow = o.onRow;
  const emit = (key: unknown, value: Row | null) => {
    if (value === null || value === undefined) return;
    const k = (key instanceof Windowed ? key.key : key) as Row | null;
    const out = new Array<unknown>(keyColumns.length + valueColumns.length);
    for (let i = 0; i < keyColumns.length; i++) out[i] = toJsonValue(k?.[i] ?? null, keyColumns[i]!.type);
    for (let j = 0; j < valueColumns.length; j++) out[keyColumns.length + j] = toJsonValue(value[j] ?? null, valueColumns[j]!.type);
    onRow(out);
  };
  const stream = result.kind === 'table' ? result.table.toStream() : result.stream;
  stream.foreach(emit);
  const topology = builder.build();
  const columns = [...keyColumns, ...valueColumns];
  const stateDir = mkdtempSync(join(tmpdir(), 'kstream-push-'));
  const applicationId = `${o.applicationId}-${o.queryId}`;
  const streams = new KafkaStreams(
    topology,
    {
      'application.id': applicationId,
      'processing.guarantee': 'at_least_once',
      // Nothing reads a transient query's offsets again: it commits only what it must (outputs
      // of its own internal topics), not every 100 ms, which costs an fsync per commit on the
      // embedded log and stalls its loop behind it.
      'commit.interval.ms': TRANSIENT_COMMIT_INTERVAL_MS,
      'statestore.cache.max.bytes': 0,
      'data.dir': o.dataDir,
      'state.dir': stateDir,
      'auto.offset.reset': offsetReset,
      logger: o.logger,
    },
    { log: o.log, logger: o.logger },
  );
  let closed: Promise<void> | null = null;
  return {
    header: {
      columnNames: columns.map((c) => c.name),
      columnTypes: columns.map((c) => formatType(c.type)),
      schema: columns.map((c) => `\`${c.name}\` ${formatType(c.type)}`).join(', '),
    },
    limit: o.query.limit,
    topology,
    get stopped() {
      return streams.closed();
    },
    async start() {
      await streams.start();
      const deadline = Date.now() + START_TIMEOUT_MS;
      // Running with its tasks assigned and positioned: the group join is behind it, so nothing
      // produced from now on is missed.
      while (streams.state() !== 'RUNNING' || (streams.status()?.tasks ?? 0) === 0) {
        if (streams.state() === 'ERROR' || streams.state() === 'NOT_RUNNING') {
          await streams.closed();
          throw new Error(`push query ${o.queryId} stopped while starting`);
        }
        if (Date.now() > deadline) throw new Error(`push query ${o.queryId} did not start within ${START_TIMEOUT_MS} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close() {
      closed ??= (async () => {
        try {
          await streams.close();
        } catch {
          /* a transient query that failed has nothing left to stop */
        }
        const internal = [...topology.internalTopics.keys()].map((t) => `${applicationId}-${t}`);
        if (internal.length > 0) await o.log.admin().deleteTopics(internal).catch(() => undefined);
        // Its consumer group (group id = its application id) ends with it, as ksqlDB's transient queries' do.
        await o.log
          .admin()
          .deleteGroups([applicationId])
          .catch((e: unknown) => o.logger.warn(`push query ${o.queryId}: ${(e as Error).message}`));
        rmSync(stateDir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}
