/** The last records of the application's dead-letter topic, for the console. */
import type { Log, PartitionReader } from '../../log/types.js';
import type { WireBytes } from '../../log/types.js';

export interface DeadLetter {
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: string | null;
  readonly value: string | null;
  /** The error headers (`__streams.errors.*`) and any others, as text. */
  readonly headers: Readonly<Record<string, string | null>>;
}

const SHOWN_BYTES = 300;

function text(bytes: WireBytes): string | null {
  if (bytes === null) return null;
  const s = typeof bytes === 'string' ? bytes : bytes.subarray(0, SHOWN_BYTES * 4).toString('utf8');
  return s.length > SHOWN_BYTES ? `${s.slice(0, SHOWN_BYTES)}…` : s;
}

export class DeadLetterTail {
  private reader: PartitionReader | null = null;

  constructor(
    private readonly log: Log,
    private readonly topic: string,
  ) {}

  /** Up to `count` records from the end of each partition of the topic, newest first; none if it does not exist. */
  async last(count: number): Promise<DeadLetter[]> {
    const admin = this.log.admin();
    if (!(await admin.describeTopics([this.topic])).has(this.topic)) return [];
    const ends = await admin.endOffsets(this.topic);
    const begins = await admin.beginningOffsets(this.topic);
    this.reader ??= this.log.reader({ readCommitted: true });
    const out: DeadLetter[] = [];
    for (let p = 0; p < ends.length; p++) {
      const from = Math.max(begins[p] ?? 0, ends[p]! - count);
      for (const r of await this.reader.read(this.topic, p, from, count)) {
        const headers: Record<string, string | null> = {};
        for (const [k, v] of r.headers ?? []) headers[k] = text(v);
        out.push({ partition: p, offset: r.offset, timestamp: r.timestamp, key: text(r.key), value: text(r.value), headers });
      }
    }
    return out.sort((a, b) => b.timestamp - a.timestamp || b.offset - a.offset).slice(0, count);
  }

  async close(): Promise<void> {
    await this.reader?.close();
    this.reader = null;
  }
}
