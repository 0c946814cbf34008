/**
 * Runs a script's queries in process as ksqlDB's test runner (QTT's TestExecutor) does, so that
 * ksql-test-runner files give ksqlDB's results, including the order of records:
 * - every persistent query gets its own TopologyTestDriver (application
 *   `_confluent-ksql-default_query_<QUERYID>`) with the record cache off: every update is emitted;
 * - a simulated Kafka holds every topic's records: INSERT ... VALUES records first, then the
 *   test inputs, then what the queries write, in production order;
 * - queries run one after the other, in statement order: a query is fed the test inputs of its
 *   source topics, or — for source topics without test inputs — everything Kafka holds for them
 *   (which includes what earlier queries wrote); what it writes to non-internal topics goes to Kafka
 *   record by record.
 */
import { TopologyTestDriver } from '../../runtime/test-driver.js';
import { silentLogger } from '../../common/logger.js';
import type { Topology } from '../../topology/topology.js';
import type { RawHeaders } from '../../processor/headers.js';
import type { AnalyzedStatement } from '../analyzer/statement-analyzer.js';
import type { PersistentQueryPlan } from '../analyzer/logical-plan.js';
import type { TestDriver } from './runner.js';
import type { CapturedRecord } from './topics.js';
import { planScript } from '../planner/script.js';
import { buildQueryTopology } from '../planner/topology.js';

type Header = { key: string; value: Buffer | null };

function toRaw(headers: readonly Header[] | undefined): RawHeaders | undefined {
  return headers === undefined ? undefined : headers.map((h) => [h.key, h.value] as [string, Buffer | null]);
}

function fromRaw(headers: RawHeaders | undefined): Header[] | undefined {
  if (headers === undefined) return undefined;
  return [...headers].map(([key, value]) => ({ key, value: value === null || value === undefined ? null : Buffer.from(value) }));
}

interface QueryRun {
  readonly plan: PersistentQueryPlan;
  readonly topology: Topology;
  readonly applicationId: string;
  readonly sourceTopics: ReadonlySet<string>;
}

export interface QueryTestDriverOptions {
  /** Extra Streams settings for every query's driver. */
  readonly config?: Record<string, unknown>;
}

export class QueryTestDriver implements TestDriver {
  private readonly runs: QueryRun[];
  private readonly kafka: CapturedRecord[] = [];
  private readonly inputs: CapturedRecord[] = [];
  private readonly written: CapturedRecord[] = [];
  private ran = false;

  constructor(
    statements: readonly AnalyzedStatement[],
    private readonly options: QueryTestDriverOptions = {},
  ) {
    const script = planScript(statements);
    const offsetReset = script.properties.get('auto.offset.reset') === 'latest' ? undefined : ('earliest' as const);
    this.runs = script.queries.map((plan) => {
      const topology = buildQueryTopology(plan, offsetReset ? { offsetReset } : {});
      const sourceTopics = new Set<string>();
      for (const st of topology.subtopologies()) for (const t of st.sourceTopics) if (!topology.internalTopics.has(t)) sourceTopics.add(t);
      return { plan, topology, applicationId: `_confluent-ksql-default_query_${plan.queryId}`, sourceTopics };
    });
  }

  /** The queries' topologies (for EXPLAIN-like output). */
  get topologies(): readonly { readonly queryId: string; readonly topology: Topology }[] {
    return this.runs.map((r) => ({ queryId: r.plan.queryId, topology: r.topology }));
  }

  /** A record written by INSERT INTO ... VALUES: straight into Kafka. */
  insert(topic: string, key: Buffer | null, value: Buffer | null, timestampMs: number, headers?: readonly Header[]): void {
    this.kafka.push({ topic, key, value, timestamp: timestampMs, ...(headers ? { headers } : {}) });
  }

  /** A test input record: into Kafka, and fed to the queries that read its topic. */
  pipeRaw(topic: string, key: Buffer | null, value: Buffer | null, timestampMs: number, headers?: readonly Header[]): void {
    const r: CapturedRecord = { topic, key, value, timestamp: timestampMs, ...(headers ? { headers } : {}) };
    this.inputs.push(r);
  }

  /** Runs the queries (once) and returns every record of every topic, in production order. */
  capturedOutput(): readonly CapturedRecord[] {
    if (!this.ran) this.run();
    return this.kafka;
  }

  /** Runs the queries (once) and returns what they wrote, in production order. */
  queryOutput(): readonly CapturedRecord[] {
    if (!this.ran) this.run();
    return this.written;
  }

  private run(): void {
    this.ran = true;
    this.kafka.push(...this.inputs);
    const inputTopics = new Set(this.inputs.map((r) => r.topic));
    for (const run of this.runs) {
      const driver = new TopologyTestDriver(run.topology, {
        'application.id': run.applicationId,
        'statestore.cache.max.bytes': 0,
        logger: silentLogger,
        ...this.options.config,
      });
      let seen = 0;
      const pipe = (r: CapturedRecord) => {
        driver.pipeRaw(r.topic, r.key, r.value, r.timestamp, toRaw(r.headers));
        const produced = driver.producedRecords();
        for (; seen < produced.length; seen++) {
          const p = produced[seen]!;
          if (p.topic.startsWith(`${run.applicationId}-`)) continue;
          const headers = fromRaw(p.headers);
          const out: CapturedRecord = { topic: p.topic, key: p.key, value: p.value, timestamp: p.timestamp, ...(headers ? { headers } : {}) };
          this.kafka.push(out);
          this.written.push(out);
        }
      };
      try {
        const fromInput = [...run.sourceTopics].filter((t) => inputTopics.has(t));
        const fromKafka = [...run.sourceTopics].filter((t) => !inputTopics.has(t));
        if (fromInput.length > 0) for (const r of this.inputs) if (run.sourceTopics.has(r.topic)) pipe(r);
        for (const topic of fromKafka) for (const r of this.kafka.filter((x) => x.topic === topic)) pipe(r);
      } finally {
        driver.close();
      }
    }
  }
}

/** The DriverFactory of `runTestCase`: ksqlDB test-runner semantics, in process. */
export function queryTestDriver(statements: readonly AnalyzedStatement[]): QueryTestDriver {
  return new QueryTestDriver(statements);
}
