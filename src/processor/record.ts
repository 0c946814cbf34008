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
  // Headers are made on first use: most records never look at theirs. Until then `raw` holds the
  // headers as read from the log (undefined for none) and `made` is null.
  private made: Headers | null;
  private raw: RawHeaders | undefined;

  constructor(key: K, value: V, timestamp: number, headers?: Headers | RawHeaders) {
    if (!(timestamp >= 0)) throw new RangeError(`a record timestamp must be >= 0, got ${timestamp}`);
    this.key = key;
    this.value = value;
    this.timestamp = timestamp;
    if (headers === undefined || Array.isArray(headers)) {
      this.made = null;
      this.raw = headers as RawHeaders | undefined;
    } else {
      this.made = headers as Headers;
      this.raw = undefined;
    }
  }

  get headers(): Headers {
    if (this.made === null) this.made = new Headers(this.raw);
    return this.made;
  }

  /** @internal The headers in log form, without making a Headers object. */
  rawHeaders(): RawHeaders | undefined {
    return this.made === null ? this.raw : this.made.toRaw();
  }

  private derive<NK, NV>(key: NK, value: NV, timestamp: number): StreamRecord<NK, NV> {
    const r = new StreamRecord(key, value, timestamp);
    r.made = this.made;
    r.raw = this.raw;
    return r;
  }

  withKey<NK>(key: NK): StreamRecord<NK, V> {
    return this.derive(key, this.value, this.timestamp);
  }

  withValue<NV>(value: NV): StreamRecord<K, NV> {
    return this.derive(this.key, value, this.timestamp);
  }

  withTimestamp(timestamp: number): StreamRecord<K, V> {
    return this.derive(this.key, this.value, timestamp);
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
