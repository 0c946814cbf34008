import { Headers } from './headers.js';

/**
 * A record flowing through the processor graph (Kafka Streams' `api.Record`). Immutable: the
 * `with*` methods return a new record. Named StreamRecord so that it does not shadow TypeScript's
 * built-in `Record` type.
 */
export class StreamRecord<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly headers: Headers;

  constructor(key: K, value: V, timestamp: number, headers?: Headers) {
    if (timestamp < 0 || Number.isNaN(timestamp)) {
      throw new RangeError(`a record timestamp must be >= 0, got ${timestamp}`);
    }
    this.key = key;
    this.value = value;
    this.timestamp = timestamp;
    this.headers = headers ?? new Headers();
  }

  withKey<NK>(key: NK): StreamRecord<NK, V> {
    return new StreamRecord(key, this.value, this.timestamp, this.headers);
  }

  withValue<NV>(value: NV): StreamRecord<K, NV> {
    return new StreamRecord(this.key, value, this.timestamp, this.headers);
  }

  withTimestamp(timestamp: number): StreamRecord<K, V> {
    return new StreamRecord(this.key, this.value, timestamp, this.headers);
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
