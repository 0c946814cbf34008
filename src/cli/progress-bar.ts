/** A text progress bar for a terminal line: `[#########-----------]  45%`. */
export function progressBar(fraction: number, width = 20): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(f * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(f * 100)).padStart(3)}%`;
}

/** Restore progress of an instance from its metrics (restore-total and restore-remaining-records-total of its tasks). */
export function restoreProgress(metrics: ReadonlyArray<{ readonly name: string; readonly value: number }>): { restored: number; remaining: number } {
  let restored = 0;
  let remaining = 0;
  for (const m of metrics) {
    if (m.name === 'restore-total') restored += m.value;
    else if (m.name === 'restore-remaining-records-total') remaining += m.value;
  }
  return { restored, remaining };
}
