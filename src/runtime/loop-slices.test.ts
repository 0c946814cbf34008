import { describe, expect, it } from 'vitest';
import { LoopSlices } from './loop-slices.js';

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('LoopSlices', () => {
  it('is due once a stretch ran for its budget, and a yield lets waiting callbacks run', async () => {
    const slices = new LoopSlices(5, () => undefined);
    slices.resume();
    expect(slices.due).toBe(false);
    let ran = false;
    setImmediate(() => (ran = true));
    busy(6);
    expect(slices.due).toBe(true);
    expect(ran).toBe(false);
    await slices.yield();
    expect(ran).toBe(true);
    expect(slices.due).toBe(false);
    expect(slices.deadline).toBeGreaterThan(performance.now());
  });

  it('records the longest stretch of each turn, not the time paused on I/O', async () => {
    const turns: number[] = [];
    const slices = new LoopSlices(1_000, (ms) => turns.push(ms));
    slices.resume();
    busy(30);
    slices.pause();
    await new Promise((r) => setTimeout(r, 500)); // waiting on I/O is no stretch
    slices.resume();
    busy(5);
    await slices.endTurn();
    busy(2);
    await slices.endTurn();
    expect(turns.length).toBe(2);
    expect(turns[0]).toBeGreaterThanOrEqual(30);
    expect(turns[0]).toBeLessThan(450);
    expect(turns[1]).toBeGreaterThanOrEqual(2);
  });
});
