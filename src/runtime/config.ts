import type { Serde } from '../serde/serde.js';
import { Serdes, serdeByName, serdeNames } from '../serde/serdes.js';
import type { ProcessingGuarantee } from '../log/types.js';
import type { OffsetReset } from '../topology/nodes.js';
import { type Logger, consoleLogger } from '../common/logger.js';
import { type RecordingLevel, RECORDING_LEVELS } from './metrics/sensors.js';

export type ErrorPolicy = 'log-and-continue' | 'fail';

/** Settings by Kafka Streams' property names (plus a few of kstream's own). */
export interface StreamsConfigInput {
  'application.id'?: string;
  'processing.guarantee'?: ProcessingGuarantee | 'exactly_once_v2';
  'commit.interval.ms'?: number;
  /** Record cache size shared by a worker's stores; 0 emits every update. */
  'statestore.cache.max.bytes'?: number;
  'cache.max.bytes.buffering'?: number;
  /** The log's data directory (for a log that keeps one on disk) and the default state location. */
  'data.dir'?: string;
  'state.dir'?: string;
  'default.key.serde'?: string | Serde<any>;
  'default.value.serde'?: string | Serde<any>;
  'default.deserialization.exception.handler'?: ErrorPolicy | 'log-and-fail';
  'processing.exception.handler'?: ErrorPolicy | 'log-and-fail';
  'auto.offset.reset'?: OffsetReset;
  'max.task.idle.ms'?: number;
  'buffered.records.per.partition'?: number;
  'repartition.purge.interval.ms'?: number;
  /** Commit early when this many bytes of output and state wait for a commit. */
  'commit.max.buffered.bytes'?: number;
  'bootstrap.servers'?: string;
  /**
   * How long a task may spend on one record before the watchdog stops the application, naming the
   * record (default: `max.poll.interval.ms`, else 300000 = 5 min; 0 turns the watchdog off).
   */
  'record.processing.timeout.ms'?: number;
  'metrics.recording.level'?: 'INFO' | 'DEBUG' | 'TRACE' | 'OFF';
  /** host:port where this instance serves interactive queries; shared with the group (Kafka Streams' name). */
  'application.server'?: string;
  /** Standby replicas of each stateful task, kept on other workers (Kafka backend; default 0). */
  'num.standby.replicas'?: number;
  /** Where kstream logs (default: stderr at level warn, or KSTREAM_LOG_LEVEL). */
  logger?: Logger;
  [key: string]: unknown;
}

export interface StreamsConfig {
  readonly applicationId: string;
  readonly guarantee: ProcessingGuarantee;
  /** exactly_once_v2: one transactional producer per worker instead of one per task. */
  readonly transactionalProducers: 'per-task' | 'per-worker';
  readonly commitIntervalMs: number;
  readonly cacheMaxBytes: number;
  readonly dataDir: string;
  readonly stateDir: string;
  readonly defaultKeySerde: Serde<any>;
  readonly defaultValueSerde: Serde<any>;
  readonly deserializationPolicy: ErrorPolicy;
  readonly processingPolicy: ErrorPolicy;
  readonly autoOffsetReset: OffsetReset;
  readonly maxTaskIdleMs: number;
  readonly bufferedRecordsPerPartition: number;
  readonly repartitionPurgeIntervalMs: number;
  readonly commitMaxBufferedBytes: number;
  /** num.standby.replicas: standbys of each stateful task on other workers (the group leader's value counts). */
  readonly numStandbyReplicas: number;
  /** acceptable.recovery.lag: changelog records a member may lack and still take a task at once (KIP-441). */
  readonly acceptableRecoveryLag: number;
  /** max.warmup.replicas: warm-up replicas at once, beyond the standbys. */
  readonly maxWarmupReplicas: number;
  /** probing.rebalance.interval.ms: how soon the group rebalances again to move warmed-up tasks. */
  readonly probingRebalanceIntervalMs: number;
  /** 0: no watchdog. */
  readonly recordProcessingTimeoutMs: number;
  /** `host:port` from application.server, or null. */
  readonly applicationServer: string | null;
  /** metrics.recording.level: INFO (default), DEBUG, TRACE, or OFF (no timings). */
  readonly metricsRecordingLevel: RecordingLevel;
  readonly logger: Logger;
  readonly raw: Readonly<Record<string, unknown>>;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function serdeOf(value: unknown, key: string, fallback: Serde<any>): Serde<any> {
  if (value === undefined) return fallback;
  if (typeof value === 'string') {
    const s = serdeByName(value);
    if (s === undefined) throw new ConfigError(`${key}: unknown serde '${value}' (known: ${serdeNames().join(', ')})`);
    return s;
  }
  if (typeof value === 'object' && value !== null && 'serialize' in value && 'deserialize' in value) return value as Serde<any>;
  throw new ConfigError(`${key}: expected a serde name or a Serde object`);
}

function numberOf(raw: Record<string, unknown>, key: string, fallback: number): number {
  const v = raw[key];
  if (v === undefined) return fallback;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw new ConfigError(`${key}: expected a non-negative number, got '${String(v)}'`);
  return n;
}

/**
 * probing.rebalance.interval.ms: 10 min by default as in Kafka Streams; at least 1 s (Kafka
 * Streams asks for 1 min; shorter intervals are allowed here so that tests need not wait).
 */
function probingIntervalOf(raw: Record<string, unknown>): number {
  const ms = numberOf(raw, 'probing.rebalance.interval.ms', 600_000);
  if (ms < 1000) throw new ConfigError(`probing.rebalance.interval.ms: expected at least 1000, got '${String(raw['probing.rebalance.interval.ms'])}'`);
  return ms;
}

/** max.task.idle.ms: -1 (never wait), 0 (default: wait for fetchable data only) or a wait in ms. */
function taskIdleOf(raw: Record<string, unknown>): number {
  const v = raw['max.task.idle.ms'];
  if (v === -1 || v === '-1') return -1;
  return numberOf(raw, 'max.task.idle.ms', 0);
}

function policyOf(raw: Record<string, unknown>, key: string): ErrorPolicy {
  const v = raw[key] ?? 'log-and-continue';
  if (v === 'log-and-continue') return v;
  if (v === 'fail' || v === 'log-and-fail') return 'fail';
  throw new ConfigError(`${key}: expected 'log-and-continue' or 'fail', got '${String(v)}'`);
}

function applicationServerOf(v: unknown): string | null {
  if (v === undefined || v === '') return null;
  const m = typeof v === 'string' ? /^(.+):(\d+)$/.exec(v) : null;
  if (m === null || Number(m[2]) > 65535 || m[1]!.includes('/')) {
    throw new ConfigError(`application.server: expected host:port, got '${String(v)}'`);
  }
  return v as string;
}

function recordingLevelOf(v: unknown): RecordingLevel {
  if (v === undefined) return 'INFO';
  const level = typeof v === 'string' ? v.toUpperCase() : v;
  if (!RECORDING_LEVELS.includes(level as RecordingLevel)) throw new ConfigError(`metrics.recording.level: expected ${RECORDING_LEVELS.join(', ')}, got '${String(v)}'`);
  return level as RecordingLevel;
}

const APP_ID = /^[a-zA-Z0-9._-]+$/;

function isLogger(x: unknown): x is Logger {
  return typeof x === 'object' && x !== null && typeof (x as Logger).warn === 'function' && typeof (x as Logger).error === 'function';
}

export function resolveConfig(input: StreamsConfigInput, explicitLogger?: Logger): StreamsConfig {
  const raw = { ...input } as Record<string, unknown>;
  const logger = explicitLogger ?? (isLogger(raw['logger']) ? raw['logger'] : consoleLogger());
  const applicationId = raw['application.id'];
  if (typeof applicationId !== 'string' || applicationId.length === 0) throw new ConfigError('application.id is required');
  if (!APP_ID.test(applicationId)) throw new ConfigError(`application.id '${applicationId}' may only use [a-zA-Z0-9._-]`);
  const g = raw['processing.guarantee'] ?? 'exactly_once';
  if (g !== 'exactly_once' && g !== 'exactly_once_v2' && g !== 'at_least_once') {
    throw new ConfigError(`processing.guarantee: expected exactly_once_v2, exactly_once or at_least_once, got '${String(g)}'`);
  }
  const guarantee: ProcessingGuarantee = g === 'at_least_once' ? 'at_least_once' : 'exactly_once';
  const dataDir = typeof raw['data.dir'] === 'string' ? (raw['data.dir'] as string) : './.kstream';
  const reset = raw['auto.offset.reset'] ?? 'earliest';
  if (reset !== 'earliest' && reset !== 'latest') throw new ConfigError(`auto.offset.reset: expected earliest or latest, got '${String(reset)}'`);
  const cacheKey = raw['statestore.cache.max.bytes'] !== undefined ? 'statestore.cache.max.bytes' : 'cache.max.bytes.buffering';
  return {
    applicationId,
    guarantee,
    transactionalProducers: g === 'exactly_once_v2' ? 'per-worker' : 'per-task',
    commitIntervalMs: numberOf(raw, 'commit.interval.ms', guarantee === 'exactly_once' ? 100 : 30_000),
    cacheMaxBytes: numberOf(raw, cacheKey, 10 * 1024 * 1024),
    dataDir,
    stateDir: typeof raw['state.dir'] === 'string' ? (raw['state.dir'] as string) : `${dataDir}/state`,
    defaultKeySerde: serdeOf(raw['default.key.serde'], 'default.key.serde', Serdes.String()),
    defaultValueSerde: serdeOf(raw['default.value.serde'], 'default.value.serde', Serdes.String()),
    deserializationPolicy: policyOf(raw, 'default.deserialization.exception.handler'),
    processingPolicy: policyOf(raw, 'processing.exception.handler'),
    autoOffsetReset: reset,
    maxTaskIdleMs: taskIdleOf(raw),
    bufferedRecordsPerPartition: numberOf(raw, 'buffered.records.per.partition', 4096),
    repartitionPurgeIntervalMs: numberOf(raw, 'repartition.purge.interval.ms', 30_000),
    commitMaxBufferedBytes: numberOf(raw, 'commit.max.buffered.bytes', 64 * 1024 * 1024),
    numStandbyReplicas: Math.floor(numberOf(raw, 'num.standby.replicas', 0)),
    acceptableRecoveryLag: Math.floor(numberOf(raw, 'acceptable.recovery.lag', 10_000)),
    maxWarmupReplicas: Math.floor(numberOf(raw, 'max.warmup.replicas', 2)),
    probingRebalanceIntervalMs: probingIntervalOf(raw),
    recordProcessingTimeoutMs: numberOf(raw, 'record.processing.timeout.ms', numberOf(raw, 'max.poll.interval.ms', 300_000)),
    applicationServer: applicationServerOf(raw['application.server']),
    metricsRecordingLevel: recordingLevelOf(raw['metrics.recording.level']),
    logger,
    raw,
  };
}
