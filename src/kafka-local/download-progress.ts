/**
 * Maven's download output as progress: on a terminal, one line redrawn in place with a bar over
 * the bytes of the files in flight against their sizes (Content-Length, as Maven's transfer
 * progress reports them: `Progress (2): 1.2/4.6 MB | 40/200 kB`), and the files and megabytes done;
 * in logs and pipes, a plain line every two seconds and never a bar.
 */
import { progressBar } from '../common/progress-bar.js';

const UNITS: Readonly<Record<string, number>> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9 };
const REPORT_EVERY_MS = 2_000;
const REDRAW_EVERY_MS = 100;

/** Bytes done and total of Maven's `Progress (n): a/b UNIT | c UNIT` line (a file without `/b` is complete); null for other lines. */
export function transferProgress(line: string): { done: number; total: number } | null {
  const m = /^Progress \(\d+\): (.*)$/.exec(line.trim());
  if (m === null) return null;
  let done = 0;
  let total = 0;
  for (const part of m[1]!.split('|')) {
    const p = /([\d.]+)(?:\/([\d.]+))? (B|kB|KB|MB|GB)/.exec(part);
    if (p === null) continue;
    const unit = UNITS[p[3]!]!;
    const size = Number(p[2] ?? p[1]) * unit;
    done += Number(p[1]) * unit;
    total += size;
  }
  return total > 0 ? { done, total } : null;
}

/** Size in bytes of Maven's `Downloaded from <repo>: <url> (4.6 MB at 3.8 MB/s)` line; null for other lines. */
export function downloadedBytes(line: string): number | null {
  const m = /^(?:\[INFO\] )?Downloaded from [^:]+: \S+ \(([\d.]+) (B|kB|KB|MB|GB)/.exec(line);
  return m === null ? null : Number(m[1]) * UNITS[m[2]!]!;
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

export class MavenProgress {
  private files = 0;
  private bytes = 0;
  private lastReport = Date.now();
  private lastDraw = 0;
  private drawn = false;

  /**
   * @param live on a terminal (never in logs or pipes): a line with a bar redrawn in place on
   *   `terminal` instead of a log line every two seconds. Maven then runs without -B, so that it
   *   reports its transfers' sizes.
   */
  constructor(
    private readonly log: (line: string) => void,
    readonly live = false,
    private readonly terminal: NodeJS.WritableStream = process.stderr,
  ) {}

  line(text: string): void {
    const size = downloadedBytes(text);
    if (size !== null) {
      this.files++;
      this.bytes += size;
      if (this.live) this.draw(null, true);
      else if (Date.now() - this.lastReport >= REPORT_EVERY_MS) {
        this.lastReport = Date.now();
        this.report();
      }
      return;
    }
    if (this.live) {
      const inFlight = transferProgress(text);
      if (inFlight !== null) this.draw(inFlight, false);
    }
  }

  private draw(inFlight: { done: number; total: number } | null, force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastDraw < REDRAW_EVERY_MS) return;
    this.lastDraw = now;
    const current = inFlight === null ? '' : `${progressBar(inFlight.done / inFlight.total)} ${mb(inFlight.done)}/${mb(inFlight.total)} MB · `;
    this.terminal.write(`\r\x1b[2K  downloading ${current}${this.files} files, ${mb(this.bytes)} MB done`);
    this.drawn = true;
  }

  finish(): void {
    if (this.drawn) this.terminal.write('\r\x1b[2K');
    if (this.files > 0) this.report();
  }

  private report(): void {
    this.log(`  … ${this.files} files downloaded (${mb(this.bytes)} MB)`);
  }
}
