import { describe, expect, it } from 'vitest';
import { progressBar, restoreProgress } from './progress-bar.js';

describe('progressBar', () => {
  it('fills in proportion, clamps, and pads the percentage', () => {
    expect(progressBar(0, 10)).toBe('[----------]   0%');
    expect(progressBar(0.456, 10)).toBe('[#####-----]  45%');
    expect(progressBar(1, 10)).toBe('[##########] 100%');
    expect(progressBar(3, 4)).toBe('[####] 100%');
    expect(progressBar(Number.NaN, 4)).toBe('[----]   0%');
  });

  it('sums restore progress over the tasks of an instance', () => {
    const metrics = [
      { name: 'restore-total', value: 300 },
      { name: 'restore-remaining-records-total', value: 700 },
      { name: 'restore-total', value: 100 },
      { name: 'restore-remaining-records-total', value: 0 },
      { name: 'process-total', value: 5 },
    ];
    expect(restoreProgress(metrics)).toEqual({ restored: 400, remaining: 700 });
  });
});
