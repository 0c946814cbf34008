/**
 * A window: `[start, end)` for time windows (end exclusive), `[start, end]` for sliding and
 * session windows (both inclusive), as Kafka Streams defines them.
 */
export interface Window {
  readonly start: number;
  readonly end: number;
}

/** Creates a window value (plain object: compares structurally in tests). */
export function windowOf(start: number, end: number): Window {
  return { start, end };
}

/**
 * The key of a windowed aggregation result: the grouping key and the window it belongs to
 * (Kafka Streams' `Windowed<K>`).
 */
export class Windowed<K> {
  constructor(
    readonly key: K,
    readonly window: Window,
  ) {}

  static of<K>(key: K, start: number, end: number): Windowed<K> {
    return new Windowed(key, { start, end });
  }

  equals(other: unknown): boolean {
    return (
      other instanceof Windowed &&
      other.window.start === this.window.start &&
      other.window.end === this.window.end &&
      (other.key === this.key || JSON.stringify(other.key) === JSON.stringify(this.key))
    );
  }

  /** `[key@start/end]`, as Kafka Streams prints a windowed key. */
  toString(): string {
    return `[${String(this.key)}@${this.window.start}/${this.window.end}]`;
  }
}
