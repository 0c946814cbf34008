export { progressBar } from '../common/progress-bar.js';

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
