/**
 * One persistent query of the server (CSAS, CTAS, INSERT INTO ... SELECT), run as its own
 * application as ksqlDB runs it: application id `_confluent-ksql-<service id>query_<query id>`, so
 * the servers of one service share its tasks through that consumer group. A CTAS table is also
 * read back from its sink topic into a store for pull queries (see sql-tables.ts).
 *
 * On the embedded log only one process may run an application per data dir: a server that finds
 * the query running elsewhere keeps trying and takes it over when that server stops.
 */
import type { Log } from '../log/types.js';
import { KafkaStreams } from '../runtime/kafka-streams.js';
import type { StreamsConfigInput } from '../runtime/config.js';
import type { Logger } from '../common/logger.js';
import type { AnalyzedStatement } from '../sql/analyzer/statement-analyzer.js';
import type { ProcessingLogger } from '../sql/expr/compile.js';
import type { PersistentQueryPlan } from '../sql/analyzer/logical-plan.js';
import { planScript } from '../sql/planner/script.js';
import type { SqlSession } from '../sql/session.js';
import type { OffsetReset } from '../topology/nodes.js';
import type { Topology } from '../topology/topology.js';
import { pullTables, servingTopology, type PullTable } from './sql-tables.js';

const TAKEOVER_RETRY_MS = 2_000;
const START_WAIT_MS = 30_000;

export type QueryState = 'RUNNING' | 'ERROR' | 'UNRESPONSIVE' | 'TERMINATED';

export interface QueryRuntimeOptions {
  readonly log: Log;
  readonly serviceId: string;
  /** Settings of every query's application (data dir, application.server, processing guarantee...). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly logger: Logger;
  /** Where a query's expression errors go (its processing log); default: kept in memory, bounded. */
  readonly processingLog?: (queryId: string) => ProcessingLogger;
}

export function queryApplicationId(serviceId: string, queryId: string): string {
  return `_confluent-ksql-${serviceId}query_${queryId}`;
}

/** Streams settings among a statement's properties: `ksql.streams.X` and plain Kafka Streams names. */
export function streamsSettings(properties: Readonly<Record<string, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(properties)) {
    if (k.startsWith('ksql.streams.')) out[k.slice('ksql.streams.'.length)] = v;
    else if (['commit.interval.ms', 'cache.max.bytes.buffering', 'statestore.cache.max.bytes', 'processing.guarantee', 'max.task.idle.ms'].includes(k)) out[k] = v;
  }
  delete out['auto.offset.reset'];
  return out;
}

/** ksqlDB's default for persistent queries is `latest`; `auto.offset.reset` (or ksql.streams.) sets it. */
export function offsetResetOf(properties: Readonly<Record<string, string>>): OffsetReset {
  const v = properties['auto.offset.reset'] ?? properties['ksql.streams.auto.offset.reset'];
  return v === 'earliest' ? 'earliest' : 'latest';
}

export class PersistentQuery {
  readonly id: string;
  readonly plan: PersistentQueryPlan;
  /** The table pull queries read, for a CTAS. */
  readonly pullTable: PullTable | undefined;
  readonly topology: Topology;
  private streams: KafkaStreams | null = null;
  private terminated = false;
  /** Set once stop() was called: a start still under way closes what it started. */
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;
  private lastError: string | null = null;

  constructor(
    analyzed: Extract<AnalyzedStatement, { kind: 'query' }>,
    session: SqlSession,
    private readonly properties: Readonly<Record<string, string>>,
    private readonly options: QueryRuntimeOptions,
  ) {
    this.plan = analyzed.plan;
    this.id = analyzed.plan.queryId;
    if (options.processingLog !== undefined) analyzed.plan.context.logger = options.processingLog(this.id);
    const script = planScript([analyzed]);
    const tables = pullTables(session, script);
    this.pullTable = tables.get(analyzed.plan.sink.name);
    this.topology = servingTopology(script, tables, offsetResetOf(properties));
  }

  /** The application of this query in this process, once it runs here. */
  get application(): KafkaStreams | null {
    return this.streams;
  }

  state(): QueryState {
    if (this.terminated) return 'TERMINATED';
    const s = this.streams?.state();
    if (s === 'RUNNING' || s === 'REBALANCING') return 'RUNNING';
    if (s === 'ERROR' || this.lastError !== null) return 'ERROR';
    return 'UNRESPONSIVE';
  }

  /** Why the query is not running here, if it failed. */
  error(): string | null {
    return this.lastError;
  }

  async start(): Promise<void> {
    if (this.stopped || this.streams !== null) return;
    const config: StreamsConfigInput = { ...this.options.config, ...streamsSettings(this.properties), 'application.id': queryApplicationId(this.options.serviceId, this.id) };
    const streams = new KafkaStreams(this.topology, config, { log: this.options.log, logger: this.options.logger });
    try {
      await streams.start();
    } catch (e) {
      const message = (e as Error).message;
      if (/already running on data dir/.test(message)) {
        // Another server of this service runs it on this data dir: take over when it stops.
        if (this.stopped) return;
      this.retry = setTimeout(() => {
          this.retry = null;
          void this.start();
        }, TAKEOVER_RETRY_MS);
        return;
      }
      this.lastError = message;
      this.options.logger.warn(`query ${this.id} failed to start: ${message}`);
      return;
    }
    if (this.stopped) {
      await streams.close().catch(() => undefined);
      return;
    }
    this.streams = streams;
    this.lastError = null;
    // Answer once the group assigned and positioned the tasks: records written after the
    // statement's answer are then read, even from `latest`.
    const deadline = Date.now() + START_WAIT_MS;
    while (streams.state() === 'REBALANCING' && Date.now() < deadline && !this.stopped) await new Promise((r) => setTimeout(r, 20));
    streams.closed().then(
      () => {
        if (!this.terminated && streams.state() === 'ERROR') this.lastError = 'stopped with an error';
      },
      (e: unknown) => {
        this.lastError = (e as Error).message;
        this.options.logger.warn(`query ${this.id} stopped: ${this.lastError}`);
      },
    );
  }

  /** Stops the query here (TERMINATE, DROP, or the server shutting down). */
  async stop(terminate: boolean): Promise<void> {
    if (terminate) this.terminated = true;
    this.stopped = true;
    if (this.retry !== null) clearTimeout(this.retry);
    this.retry = null;
    const streams = this.streams;
    this.streams = null;
    if (streams !== null) await streams.close().catch(() => undefined);
  }
}
