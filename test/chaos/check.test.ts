// The chaos test's reference computation and checks, on small hand-made inputs.
import { describe, expect, it } from 'vitest';
import { checkCounts, checkSequences, describeSequence, expectedJoins, expectedWindowCounts, expectedWordCounts, type KeyedRecord } from './check.js';
import { InputGenerator, chaosTopics } from './input.js';

const rec = (key: string, value: string, timestamp: number): KeyedRecord => ({ key, value, timestamp });

describe('chaos reference', () => {
  it('counts words case-insensitively across partitions', () => {
    const counts = expectedWordCounts([[rec('u1', 'Wa wb, wa', 1)], [rec('u2', 'WB', 2)]]);
    expect([...counts]).toEqual([
      ['wa', 2],
      ['wb', 2],
    ]);
  });

  it('drops a line whose window closed (end + grace <= stream time of its partition), keeps one within the grace', () => {
    const counts = expectedWindowCounts([
      [
        rec('u1', 'x', 100_000), // window 100000
        rec('u1', 'x', 112_000), // window 110000; stream time 112000
        rec('u1', 'x', 109_000), // window 100000 closes at 115000 > 112000: counted
        rec('u1', 'x', 120_000), // stream time 120000
        rec('u1', 'x', 104_000), // 110000 + 5000 <= 120000: dropped
      ],
      [rec('u1', 'x', 104_000)], // another partition has its own stream time: counted
    ]);
    expect(counts.get('u1@100000')).toBe(3);
    expect(counts.get('u1@110000')).toBe(1);
    expect(counts.get('u1@120000')).toBe(1);
  });

  it('joins every order with the newest price whose timestamp is below it, in timestamp order across the partitions', () => {
    const orders = [[rec('p1', 'o1', 10), rec('p1', 'o2', 20), rec('p2', 'o3', 21), rec('p1', 'o4', 40)]];
    const prices = [[rec('p1', 'v0', 1), rec('p1', 'v1', 15), rec('p2', 'v0', 30), rec('p1', 'v2', 39)]];
    expect([...expectedJoins(orders, prices)]).toEqual([['p1', ['o1|v0', 'o2|v1', 'o4|v2']]]); // o3 had no price yet
  });

  it('exact counts: 1..n and nothing else; at least once: every one of 1..n present and the last >= n', () => {
    const expected = new Map([
      ['a', 3],
      ['b', 2],
    ]);
    const out = (a: number[], b: number[]) => [[...a.map((v) => rec('a', String(v), 0)), ...b.map((v) => rec('b', String(v), 0))]];
    expect(checkCounts('c', out([1, 2, 3], [1, 2]), expected, true).problems).toEqual([]);
    expect(checkCounts('c', out([1, 2, 2, 3], [1, 2]), expected, true).problems).toEqual(['c: 1 keys whose sequence is not exactly 1..n, e.g. a: n=3, got 1..2, 2..3']);
    expect(checkCounts('c', out([1, 3], [1, 2]), expected, true).problems).toHaveLength(1);
    expect(checkCounts('c', out([1, 2, 3, 2, 3, 4], [1, 2]), expected, false).problems).toEqual([]);
    expect(checkCounts('c', out([1, 3, 4], [1]), expected, false).problems).toEqual([
      'c: 2 keys with missing counts (neither output nor in the changelog), e.g. a: 1 of 1..3 missing; b: 1 of 1..2 missing',
      'c: 1 keys whose last count is below n, e.g. b: last 1 < 2',
    ]);
  });

  it('at least once: a count missing from the output is made when the changelog holds it (its output lost in a crash); a record never counted fails', () => {
    const expected = new Map([['u@0', 4]]);
    const out = (...v: number[]) => [v.map((x) => rec('u@0', String(x), 0))];
    const changelog = (...v: number[]) => new Map([['u@0', new Set(v)]]);
    // 2 was counted (the changelog has it), its output lost; reprocessing the record gave 3, then on.
    const lost = checkCounts('c', out(1, 3, 4, 5), expected, false, changelog(1, 2, 3, 4, 5));
    expect(lost.problems).toEqual([]);
    expect(lost.lostOutputs).toBe(1);
    // The same output without 2 in the changelog: the count was never made.
    expect(checkCounts('c', out(1, 3, 4, 5), expected, false, changelog(1, 3, 4, 5)).problems).toEqual([
      'c: 1 keys with missing counts (neither output nor in the changelog), e.g. u@0: 1 of 1..4 missing',
    ]);
    // A record never counted: the counts end below n, whatever the changelog holds.
    expect(checkCounts('c', out(1, 2, 3), expected, false, changelog(1, 2, 3)).problems).toEqual([
      'c: 1 keys with missing counts (neither output nor in the changelog), e.g. u@0: 1 of 1..4 missing',
      'c: 1 keys whose last count is below n, e.g. u@0: last 3 < 4',
    ]);
    // A window counted from scratch after a failover ends below n.
    expect(checkCounts('c', out(1, 2, 3, 1), expected, false, changelog(1, 2, 3, 4)).problems).toEqual(['c: 1 keys whose last count is below n, e.g. u@0: last 1 < 4']);
    // exactly once ignores the changelog: a count missing from the output fails.
    expect(checkCounts('c', out(1, 3, 4), new Map([['u@0', 3]]), true, changelog(1, 2, 3)).problems).toHaveLength(1);
  });

  it('exact sequences must be equal; at least once must contain every expected value', () => {
    const expected = new Map([['p1', ['o1|v0', 'o2|v1']]]);
    const out = (...v: string[]) => [v.map((x) => rec('p1', x, 0))];
    expect(checkSequences('j', out('o1|v0', 'o2|v1'), expected, true).problems).toEqual([]);
    expect(checkSequences('j', out('o1|v0', 'o2|v0'), expected, true).problems).toEqual(['j: 1 keys whose sequence differs, e.g. p1 at #1: expected o2|v1, got o2|v0 (2 of 2)']);
    expect(checkSequences('j', out('o1|v0', 'o1|v0', 'o2|v1'), expected, false).problems).toEqual([]);
    expect(checkSequences('j', out('o1|v0'), expected, false).problems).toEqual(['j: 1 keys with missing records, e.g. p1: 1 missing, e.g. o2|v1']);
  });

  it('describes a sequence by its runs', () => {
    expect(describeSequence([1, 2, 3, 5, 6, 6])).toBe('1..3, 5..6, 6');
    expect(describeSequence([])).toBe('(nothing)');
  });
});

describe('chaos input', () => {
  it('gives every price update a timestamp below every line and order of its tick, and repeats with its seed', () => {
    const make = () => new InputGenerator(chaosTopics('t'), 8, 3, 1_000_000);
    const g = make();
    expect(g.initialPrices()).toHaveLength(100);
    let updates = 0;
    for (let i = 0; i < 20; i++) {
      const { prices, events } = g.tick(500);
      updates += prices.length;
      const orders = events.filter((e) => e.topic === 't-orders');
      for (const p of prices) for (const o of orders) expect(p.timestamp).toBeLessThan(o.timestamp);
    }
    expect(updates).toBeGreaterThan(10);
    expect(g.linesMade).toBe(10_000);
    const again = make();
    again.initialPrices();
    expect(again.tick(50).events.map((e) => [e.partition, String(e.value)])).toEqual(new InputGenerator(chaosTopics('t'), 8, 3, 1_000_000).tick(50).events.map((e) => [e.partition, String(e.value)]));
  });
});
