import { Windowed } from '../common/windowed.js';
import { LONG_MAX, readLong, writeLong } from './long-bytes.js';
import { type Serde, SerdeError } from './serde.js';

/** A serde of windowed keys; the partitioner of a sink hashes only the inner key bytes. */
export interface WindowedSerde<K> extends Serde<Windowed<K>> {
  readonly inner: Serde<K>;
  /** The serialized inner key (what Kafka Streams' WindowedStreamPartitioner hashes). */
  innerKeyBytes(key: Windowed<K>, topic?: string): Buffer | null;
}

export function isWindowedSerde(serde: unknown): serde is WindowedSerde<unknown> {
  return serde instanceof TimeWindowedSerde || serde instanceof SessionWindowedSerde;
}

function innerBytes<K>(inner: Serde<K>, key: K, topic: string | undefined): Buffer {
  const bytes = inner.serialize(key, topic);
  if (bytes === null) throw new SerdeError('the inner key of a windowed key must not serialize to null');
  return bytes;
}

/**
 * Kafka Streams' TimeWindowedSerde: `innerKey ‖ windowStart (8 bytes, big-endian)`. The end is not
 * written; reading computes `start + windowSize` (clamped).
 */
export class TimeWindowedSerde<K> implements WindowedSerde<K> {
  readonly name: string;
  constructor(
    readonly inner: Serde<K>,
    readonly windowSizeMs: number = LONG_MAX,
  ) {
    this.name = `time-windowed(${inner.name})`;
  }

  serialize(data: Windowed<K> | null, topic?: string): Buffer | null {
    if (data === null || data === undefined) return null;
    const key = innerBytes(this.inner, data.key, topic);
    const out = Buffer.allocUnsafe(key.length + 8);
    key.copy(out, 0);
    writeLong(out, key.length, data.window.start);
    return out;
  }

  deserialize(data: Buffer | null, topic?: string): Windowed<K> | null {
    if (data === null) return null;
    if (data.length < 8) throw new SerdeError(`a time-windowed key needs at least 8 bytes, got ${data.length}`);
    const start = readLong(data, data.length - 8);
    const end = Math.min(start + this.windowSizeMs, LONG_MAX);
    return new Windowed(this.inner.deserialize(data.subarray(0, data.length - 8), topic) as K, { start, end });
  }

  innerKeyBytes(key: Windowed<K>, topic?: string): Buffer | null {
    return this.inner.serialize(key.key, topic);
  }
}

/** Kafka Streams' SessionWindowedSerde: `innerKey ‖ end (8, BE) ‖ start (8, BE)`. */
export class SessionWindowedSerde<K> implements WindowedSerde<K> {
  readonly name: string;
  constructor(readonly inner: Serde<K>) {
    this.name = `session-windowed(${inner.name})`;
  }

  serialize(data: Windowed<K> | null, topic?: string): Buffer | null {
    if (data === null || data === undefined) return null;
    const key = innerBytes(this.inner, data.key, topic);
    const out = Buffer.allocUnsafe(key.length + 16);
    key.copy(out, 0);
    writeLong(out, key.length, data.window.end);
    writeLong(out, key.length + 8, data.window.start);
    return out;
  }

  deserialize(data: Buffer | null, topic?: string): Windowed<K> | null {
    if (data === null) return null;
    if (data.length < 16) throw new SerdeError(`a session-windowed key needs at least 16 bytes, got ${data.length}`);
    const n = data.length - 16;
    const end = readLong(data, n);
    const start = readLong(data, n + 8);
    return new Windowed(this.inner.deserialize(data.subarray(0, n), topic) as K, { start, end });
  }

  innerKeyBytes(key: Windowed<K>, topic?: string): Buffer | null {
    return this.inner.serialize(key.key, topic);
  }
}

/** Factories of windowed key serdes (Kafka Streams' WindowedSerdes). */
export const WindowedSerdes = {
  /** Windowed keys of time windows (tumbling, hopping, sliding) of `windowSizeMs`. */
  timeWindowedSerdeFrom<K>(inner: Serde<K>, windowSizeMs?: number): TimeWindowedSerde<K> {
    return new TimeWindowedSerde(inner, windowSizeMs ?? LONG_MAX);
  },
  sessionWindowedSerdeFrom<K>(inner: Serde<K>): SessionWindowedSerde<K> {
    return new SessionWindowedSerde(inner);
  },
};
