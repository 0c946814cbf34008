import type { Windowed } from '../common/windowed.js';
import { IllegalArgumentError } from '../common/errors.js';

export type BufferFullStrategy = 'EMIT' | 'SHUT_DOWN';

/**
 * How much a suppression may buffer and what happens when it is full (Kafka Streams'
 * Suppressed.BufferConfig). `unbounded()` never fills up.
 */
export class BufferConfig {
  private constructor(
    readonly maxRecords: number,
    readonly maxBytes: number,
    readonly strategy: BufferFullStrategy,
    readonly loggingEnabled: boolean,
    readonly logConfig: Readonly<Record<string, string>>,
  ) {}

  /** No bound: buffer until the time limit / window close (needs enough memory). */
  static unbounded(): BufferConfig {
    return new BufferConfig(Infinity, Infinity, 'SHUT_DOWN', true, {});
  }

  static maxRecords(recordLimit: number): BufferConfig {
    return new BufferConfig(checkLimit(recordLimit, 'recordLimit'), Infinity, 'EMIT', true, {});
  }

  static maxBytes(byteLimit: number): BufferConfig {
    return new BufferConfig(Infinity, checkLimit(byteLimit, 'byteLimit'), 'EMIT', true, {});
  }

  withMaxRecords(recordLimit: number): BufferConfig {
    return new BufferConfig(checkLimit(recordLimit, 'recordLimit'), this.maxBytes, this.strategy, this.loggingEnabled, this.logConfig);
  }

  withMaxBytes(byteLimit: number): BufferConfig {
    return new BufferConfig(this.maxRecords, checkLimit(byteLimit, 'byteLimit'), this.strategy, this.loggingEnabled, this.logConfig);
  }

  withNoBound(): BufferConfig {
    return new BufferConfig(Infinity, Infinity, 'SHUT_DOWN', this.loggingEnabled, this.logConfig);
  }

  /** When full, emit the oldest records early (not allowed for untilWindowCloses). */
  emitEarlyWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'EMIT', this.loggingEnabled, this.logConfig);
  }

  /** When full, stop the application with an error (keeps the "final results" promise). */
  shutDownWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'SHUT_DOWN', this.loggingEnabled, this.logConfig);
  }

  withLoggingDisabled(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, this.strategy, false, {});
  }

  withLoggingEnabled(config: Record<string, string> = {}): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, this.strategy, true, { ...config });
  }
}

function checkLimit(n: number, what: string): number {
  if (!(n >= 0)) throw new IllegalArgumentError(`${what} must be non-negative, got ${n}`);
  return n;
}

/**
 * What a KTable.suppress() holds back (Kafka Streams' Suppressed): only the final result of each
 * window once it closed, or the latest update of each key after a quiet period.
 */
export class Suppressed<K> {
  private constructor(
    readonly kind: 'windowCloses' | 'timeLimit',
    readonly timeToWaitMs: number,
    readonly bufferConfig: BufferConfig,
    readonly name: string | undefined,
  ) {}

  /** One final result per window, emitted once stream time passes the window end plus grace. */
  static untilWindowCloses<K extends Windowed<any>>(bufferConfig: BufferConfig): Suppressed<K> {
    if (bufferConfig.strategy === 'EMIT') {
      throw new IllegalArgumentError('untilWindowCloses needs a strict buffer config (unbounded() or shutDownWhenFull()): emitting early would break the final-result promise');
    }
    return new Suppressed<K>('windowCloses', 0, bufferConfig, undefined);
  }

  /** The latest update of each key, once `timeToWaitForMoreEventsMs` of stream time passed since it. */
  static untilTimeLimit<K>(timeToWaitForMoreEventsMs: number, bufferConfig: BufferConfig): Suppressed<K> {
    if (!(timeToWaitForMoreEventsMs >= 0)) throw new IllegalArgumentError('timeToWaitForMoreEvents must be non-negative');
    return new Suppressed<K>('timeLimit', timeToWaitForMoreEventsMs, bufferConfig, undefined);
  }

  withName(name: string): Suppressed<K> {
    return new Suppressed<K>(this.kind, this.timeToWaitMs, this.bufferConfig, name);
  }
}
