/** How the Kafka backend sorts kafkajs errors: retry (broker away), fenced (task lost), or fatal. */
import { setTimeout as sleep } from 'node:timers/promises';

interface KafkaJsLike {
  name?: string;
  message?: string;
  type?: string;
  code?: number | string;
  retriable?: boolean;
  cause?: unknown;
}

const RETRIABLE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSLockTimeout',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSStaleTopicMetadataAssignment',
]);

const RETRIABLE_TYPES = new Set([
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
  'GROUP_LOAD_IN_PROGRESS',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR_FOR_GROUP',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'CONCURRENT_TRANSACTIONS',
  'KAFKA_STORAGE_ERROR',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'OFFSET_NOT_AVAILABLE',
  'UNSTABLE_OFFSET_COMMIT',
]);

/**
 * Error codes after which a transactional producer cannot go on: a newer producer with the same
 * transactional.id exists (the task moved), or the coordinator aborted the transaction.
 */
const FENCING_CODES = new Set([
  45, // OUT_OF_ORDER_SEQUENCE_NUMBER (the broker lost this producer's state: start a new one)
  47, // INVALID_PRODUCER_EPOCH
  48, // INVALID_TXN_STATE
  49, // INVALID_PRODUCER_ID_MAPPING
  52, // TRANSACTION_COORDINATOR_FENCED
  59, // UNKNOWN_PRODUCER_ID
  90, // PRODUCER_FENCED (unknown to kafkajs 2.2: reported as KAFKAJS_UNKNOWN_ERROR_CODE)
]);

/** Code of a kafkajs protocol error anywhere in the cause chain. */
function protocolCodes(error: unknown): number[] {
  const out: number[] = [];
  let e = error as KafkaJsLike | undefined;
  for (let depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (typeof e.code === 'number') out.push(e.code);
    e = e.cause as KafkaJsLike | undefined;
  }
  return out;
}

export function isFencingError(error: unknown): boolean {
  if (protocolCodes(error).some((c) => FENCING_CODES.has(c))) return true;
  const m = (error as KafkaJsLike | undefined)?.message ?? '';
  return /fenced|newer producer|INVALID_PRODUCER_EPOCH/i.test(m);
}

/**
 * Node's codes for a TLS peer that was reached but not trusted (or did not trust us): retrying
 * cannot help. kafkajs reports them as connection errors, like a broker that is away.
 */
const TLS_TRUST_CODE = /^(ERR_SSL_.*ALERT.*|.*CERT.*|UNABLE_TO_.*)$/;

/** A broker that is away, restarting or moving leadership: worth retrying after a pause. */
export function isRetriableError(error: unknown): boolean {
  let e = error as KafkaJsLike | undefined;
  for (let depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (isFencingError(e)) return false;
    if (typeof e.code === 'string' && TLS_TRUST_CODE.test(e.code)) return false;
    if (e.name !== undefined && RETRIABLE_NAMES.has(e.name)) return true;
    if (e.type !== undefined && RETRIABLE_TYPES.has(e.type)) return true;
    if (typeof e.code === 'string' && /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN)$/.test(e.code)) return true;
    if (e.name === 'KafkaJSNumberOfRetriesExceeded' || e.name === 'KafkaJSNonRetriableError') {
      e = e.cause as KafkaJsLike | undefined;
      continue;
    }
    return false;
  }
  return false;
}

/** One line saying what went wrong (kafkajs messages can nest the real cause). */
export function kafkaErrorMessage(error: unknown): string {
  let e = error as KafkaJsLike | undefined;
  let message = e?.message ?? String(error);
  for (let depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (e.message && e.name !== 'KafkaJSNumberOfRetriesExceeded') {
      message = e.message;
      break;
    }
    e = e.cause as KafkaJsLike | undefined;
  }
  return message.split('\n')[0]!;
}

/** The brokers stayed unreachable longer than the configured patience. */
export class KafkaUnavailableError extends Error {
  override readonly name = 'KafkaUnavailableError';
  constructor(
    message: string,
    /** The last broker error, in one line. */
    readonly detail: string = message,
  ) {
    super(message);
  }
}

export interface RetryOptions {
  /** Give up (and throw KafkaUnavailableError) after this long. */
  readonly timeoutMs: number;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Called before each retry (e.g. to log or refresh metadata). */
  readonly onRetry?: (error: unknown, attempt: number, waitMs: number) => void | Promise<void>;
  /** Stop retrying early (e.g. on shutdown). */
  readonly aborted?: () => boolean;
}

/** Runs `fn`, retrying retriable failures with exponential back-off until `timeoutMs`. */
export async function retrying<T>(what: string, fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let wait = options.initialBackoffMs ?? 100;
  const maxWait = options.maxBackoffMs ?? 2000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isRetriableError(error) || options.aborted?.()) throw error;
      const now = Date.now();
      if (now >= deadline) {
        throw new KafkaUnavailableError(
          `${what}: Kafka did not answer for ${Math.round(options.timeoutMs / 1000)} s (${kafkaErrorMessage(error)})`,
          kafkaErrorMessage(error),
        );
      }
      const pause = Math.min(wait, deadline - now);
      await options.onRetry?.(error, attempt, pause);
      await sleep(pause);
      wait = Math.min(maxWait, wait * 2);
    }
  }
}
