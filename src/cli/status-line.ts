import type { ThreadStatus } from '../runtime/stream-thread.js';
import { progressBar } from './progress-bar.js';

/** A one-line live status on a terminal: records/s, total, lag, commits; a progress bar while stores restore. */
export class StatusLine {
  private timer: NodeJS.Timeout | null = null;
  private lastProcessed = 0;
  private lastTime = Date.now();

  constructor(
    private readonly read: () => ThreadStatus | null,
    private readonly restore: () => { restored: number; remaining: number } = () => ({ restored: 0, remaining: 0 }),
  ) {}

  start(): void {
    this.timer = setInterval(() => this.render(), 1000);
    this.timer.unref();
  }

  private render(): void {
    const s = this.read();
    if (s === null) return;
    const now = Date.now();
    const rate = ((s.processed - this.lastProcessed) * 1000) / Math.max(1, now - this.lastTime);
    this.lastProcessed = s.processed;
    this.lastTime = now;
    const r = s.restoring > 0 ? this.restore() : null;
    if (r !== null && r.remaining > 0) {
      const bar = progressBar(r.restored / (r.restored + r.remaining));
      process.stderr.write(`\r\x1b[2Krestoring ${s.restoring} task(s) ${bar} ${r.remaining.toLocaleString('en-US')} records left`);
      return;
    }
    const line = `${s.state.toLowerCase()} | ${Math.round(rate).toLocaleString('en-US')} records/s | ${s.processed.toLocaleString('en-US')} processed | lag ${s.lag.toLocaleString('en-US')} | ${s.tasks} tasks | ${s.commits} commits`;
    process.stderr.write(`\r\x1b[2K${line}`);
  }

  stop(): void {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
      process.stderr.write('\r\x1b[2K');
    }
  }
}
