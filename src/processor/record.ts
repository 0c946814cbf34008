import { Headers, type RawHeaders } from './headers.js';

/**
 * A record flowing through the processor graph (Kafka Streams' `api.Record`). Immutable: the
 * `with*` methods return a new record. Named StreamRecord so that it does not shadow TypeScript's
 * built-in `Record` type.
 */
export class StreamRecord<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  // Headers are made on first use: most records never look at theirs. Until then this holds the
  // headers as read from the log (or undefined for none).
  private h: Headers | RawHeaders | undefined;

  constructor(key: K, value: V, timestamp: number, headers?: Headers | RawHeaders) {
    if (!(timestamp >= 0)) throw new RangeError(`a record timestamp must be >= 0, got ${timestamp}`);
    this.key = key;
    this.value = value;
    this.timestamp = timestamp;
    this.h = headers;
  }

  get headers(): Headers {
    const h = this.h;
    if (h instanceof Headers) return h;
    const made = new Headers(h);
    this.h = made;
    return made;
  }

  /** @internal The headers in log form, without making a Headers object. */
  rawHeaders(): RawHeaders | undefined {
    const h = this.h;
    return h instanceof Headers ? h.toRaw() : h;
  }

  withKey<NK>(key: NK): StreamRecord<NK, V> {
    return new StreamRecord(key, this.value, this.timestamp, this.h);
  }

  withValue<NV>(value: NV): StreamRecord<K, NV> {
    return new StreamRecord(this.key, value, this.timestamp, this.h);
  }

  withTimestamp(timestamp: number): StreamRecord<K, V> {
    return new StreamRecord(this.key, this.value, timestamp, this.h);
  }

  withHeaders(headers: Headers): StreamRecord<K, V> {
    return new StreamRecord(this.key, this.value, this.timestamp, headers);
  }
}

/** A record whose key a processor may not change (`processValues`). */
export interface FixedKeyRecord<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly headers: Headers;
  withValue<NV>(value: NV): FixedKeyRecord<K, NV>;
  withTimestamp(timestamp: number): FixedKeyRecord<K, V>;
  withHeaders(headers: Headers): FixedKeyRecord<K, V>;
}
