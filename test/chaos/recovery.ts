/**
 * Time to recover from each fault: from the fault until every input partition of the application
 * (its source topics and its repartition topic) that had records left to process at the fault has
 * its committed offset move past where it stood at the fault — the partitions of a killed or
 * stopped worker only move again once another worker (or its restart) has taken over and
 * committed, and after a broker restart none moves before the workers are back in business.
 */
import type { Log } from '../../src/log/types.js';

export type FaultKind = 'kill' | 'broker restart' | 'sigstop';

export interface FaultRecord {
  readonly kind: FaultKind;
  /** ms since the run started */
  readonly at: number;
  /** What was done (which worker, how long). */
  readonly detail: string;
  /** ms from the fault until every waiting partition progressed; undefined if that never happened. */
  recoveryMs?: number;
  /** The next fault came before this one had recovered. */
  overlapped: boolean;
}

interface Pending {
  readonly fault: FaultRecord;
  readonly startedAt: number;
  /** partition → the committed offset at the fault, for partitions with records left to process */
  readonly waiting: Map<string, number>;
}

export class RecoveryTracker {
  private readonly pending: Pending[] = [];
  readonly faults: FaultRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(
    private readonly log: () => Log,
    private readonly groupId: string,
    private readonly topics: () => string[],
    private readonly startedAt: number,
  ) {}

  /** Where every partition stands: committed offset and end, or undefined while the broker is away. */
  private async positions(): Promise<Map<string, { committed: number; end: number }> | undefined> {
    try {
      const admin = this.log().admin();
      const topics = this.topics();
      const committed = await admin.committedOffsets(this.groupId, topics);
      const out = new Map<string, { committed: number; end: number }>();
      for (const topic of topics) {
        const ends = await admin.logEndOffsets(topic);
        ends.forEach((end, p) => out.set(`${topic}/${p}`, { committed: committed.get(`${topic}/${p}`)?.offset ?? 0, end }));
      }
      return out;
    } catch {
      return undefined;
    }
  }

  /** Records a fault about to happen: call before doing it, while the broker still answers. */
  async before(kind: FaultKind, detail: string): Promise<FaultRecord> {
    for (const p of this.pending) p.fault.overlapped = true;
    const now = Date.now();
    const fault: FaultRecord = { kind, at: now - this.startedAt, detail, overlapped: false };
    const waiting = new Map<string, number>();
    const pos = await this.positions();
    // a partition's end can hold a transaction marker past its last record: more than one past the committed offset means work left
    if (pos !== undefined) for (const [tp, { committed, end }] of pos) if (end > committed + 1) waiting.set(tp, committed);
    this.faults.push(fault);
    this.pending.push({ fault, startedAt: now, waiting });
    return fault;
  }

  start(everyMs = 500): void {
    this.timer = setInterval(() => void this.poll(), everyMs);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private async poll(): Promise<void> {
    if (this.polling || this.pending.length === 0) return;
    this.polling = true;
    try {
      const pos = await this.positions();
      if (pos === undefined) return;
      const now = Date.now();
      for (let i = this.pending.length - 1; i >= 0; i--) {
        const p = this.pending[i]!;
        for (const [tp, at] of p.waiting) if ((pos.get(tp)?.committed ?? 0) > at) p.waiting.delete(tp);
        if (p.waiting.size === 0) {
          p.fault.recoveryMs = now - p.startedAt;
          this.pending.splice(i, 1);
        }
      }
    } finally {
      this.polling = false;
    }
  }
}

/** Per fault kind: count, median, p90 (nearest rank) and max of the recovery times, and how many never recovered. */
export function recoveryTable(faults: readonly FaultRecord[]): string {
  const kinds: FaultKind[] = ['kill', 'broker restart', 'sigstop'];
  const rows = ['| fault | count | recovered | median s | p90 s | max s | overlapped by the next fault |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: |'];
  const s = (ms: number | undefined) => (ms === undefined ? '–' : (ms / 1000).toFixed(1));
  for (const kind of kinds) {
    const of = faults.filter((f) => f.kind === kind);
    if (of.length === 0) continue;
    const times = of.flatMap((f) => (f.recoveryMs === undefined ? [] : [f.recoveryMs])).sort((a, b) => a - b);
    const rank = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)];
    rows.push(`| ${kind} | ${of.length} | ${times.length} | ${s(rank(0.5))} | ${s(rank(0.9))} | ${s(times[times.length - 1])} | ${of.filter((f) => f.overlapped).length} |`);
  }
  return rows.join('\n');
}
