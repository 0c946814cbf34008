/** One record header. Kafka allows repeated keys; the order is kept. */
export interface Header {
  readonly key: string;
  readonly value: Buffer | null;
}

/** Record headers as stored on the log: an ordered list of key/value pairs. */
export type RawHeaders = ReadonlyArray<readonly [string, Buffer | null]>;

/**
 * Mutable ordered record headers, as Kafka's `Headers`. Records forwarded by a processor share
 * their headers object unless the processor replaces it.
 */
const NONE: Array<[string, Buffer | null]> = [];

export class Headers implements Iterable<Header> {
  // Most records carry no headers: they share one empty list until a header is added.
  private entries: Array<[string, Buffer | null]>;

  constructor(raw?: RawHeaders | null) {
    this.entries = raw && raw.length > 0 ? raw.map(([k, v]) => [k, v] as [string, Buffer | null]) : NONE;
  }

  get size(): number {
    return this.entries.length;
  }

  add(key: string, value: Buffer | string | null): this {
    if (this.entries === NONE) this.entries = [];
    this.entries.push([key, typeof value === 'string' ? Buffer.from(value, 'utf8') : value]);
    return this;
  }

  remove(key: string): this {
    this.entries = this.entries.filter(([k]) => k !== key);
    return this;
  }

  lastHeader(key: string): Header | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const [k, v] = this.entries[i]!;
      if (k === key) return { key: k, value: v };
    }
    return undefined;
  }

  headers(key: string): Header[] {
    return this.entries.filter(([k]) => k === key).map(([k, v]) => ({ key: k, value: v }));
  }

  toArray(): Header[] {
    return this.entries.map(([k, v]) => ({ key: k, value: v }));
  }

  /** The headers in log form; undefined when there are none (most records). */
  toRaw(): RawHeaders | undefined {
    return this.entries.length === 0 ? undefined : this.entries;
  }

  *[Symbol.iterator](): Iterator<Header> {
    for (const [key, value] of this.entries) yield { key, value };
  }
}
