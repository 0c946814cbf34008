/**
 * What `kstream run <file> --listeners http://host:port` adds to a run: the listener address of
 * this worker (worker i of --workers listens on port + i) as its application.server, the pull
 * tables of a SQL file in its topology, and the listener itself once the application runs.
 */
import type { KafkaStreams } from '../runtime/kafka-streams.js';
import type { Log } from '../log/types.js';
import type { Logger } from '../common/logger.js';
import type { ScriptPlan } from '../sql/planner/script.js';
import type { SqlSession } from '../sql/session.js';
import type { Topology } from '../topology/topology.js';
import type { OffsetReset } from '../topology/nodes.js';
import { QueryListener, parseListener } from './listener.js';
import { pullTables, servingTopology, type PullTable } from './sql-tables.js';
import { observeRoutes } from './observe/routes.js';

export interface ServedSql {
  readonly session: SqlSession;
  readonly script: ScriptPlan;
  readonly offsetReset: OffsetReset;
}

/** The listener URL of worker `workerIndex` (none: a single process) and its application.server. */
export function workerListener(listeners: string, workerIndex: number | undefined): { url: string; applicationServer: string } {
  const { host, port } = parseListener(listeners);
  const p = port + (workerIndex ?? 0);
  if (p > 65535) throw new Error(`--listeners ${listeners}: worker ${workerIndex} would listen on port ${p}`);
  return { url: `http://${host}:${p}`, applicationServer: `${host}:${p}` };
}

/** The topics a topology reads that it does not write itself (its internal topics are its own). */
function externalSourceTopics(topology: Topology): string[] {
  const topics = new Set(topology.subtopologies().flatMap((s) => s.sourceTopics));
  for (const t of topology.internalTopics.keys()) topics.delete(t);
  return [...topics];
}

export interface Serving {
  /** The topology to run: a SQL file's with its pull tables; a TypeScript one unchanged. */
  readonly topology: Topology;
  start(streams: KafkaStreams, log: Log, applicationId: string, logger: Logger): Promise<QueryListener>;
}

export function prepareServing(url: string, topology: Topology, sql: ServedSql | undefined): Serving {
  let tables: Map<string, PullTable> | undefined;
  let served = topology;
  if (sql !== undefined) {
    tables = pullTables(sql.session, sql.script);
    served = servingTopology(sql.script, tables, sql.offsetReset);
  }
  return {
    topology: served,
    start: async (streams, log, applicationId, logger) => {
      const listener = await QueryListener.start({
        listener: url,
        streams,
        log,
        applicationId,
        logger,
        ...(sql !== undefined && tables !== undefined ? { sql: { session: sql.session, tables } } : {}),
        sourceTopics: externalSourceTopics(served),
      });
      const queries = sql?.script.queries.map((q) => ({ id: q.queryId, sql: q.sql }));
      const observe = observeRoutes({ streams, topology: served, log, logger, ...(queries !== undefined ? { queries } : {}) });
      listener.mount(observe.route, observe.close);
      return listener;
    },
  };
}
