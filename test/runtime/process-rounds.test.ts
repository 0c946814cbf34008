import { describe, expect, it } from 'vitest';
import { PROCESS_BATCH_PER_TASK, ProcessRounds } from '../../src/runtime/process-rounds.js';
import type { RepartitionHandoff } from '../../src/runtime/repartition-handoff.js';
import type { StreamTask } from '../../src/runtime/stream-task.js';

/** A task as ProcessRounds sees it: process(max) takes up to max queued records, in order. */
class FakeTask {
  readonly queue: number[] = [];
  readonly processed: number[] = [];
  /** Records this task hands to another (its output), per record processed. */
  feeds: FakeTask | null = null;
  constructor(readonly name: string) {}
  process(max: number): number {
    const n = Math.min(max, this.queue.length);
    for (const r of this.queue.splice(0, n)) {
      this.processed.push(r);
      visits.push(this.name);
      this.feeds?.queue.push(r);
    }
    return n;
  }
}

let visits: string[] = [];
const asTasks = (tasks: FakeTask[]) => tasks as unknown as StreamTask[];
const handoffFeeding = (fed: FakeTask[]) => ({ feeds: (t: unknown) => fed.includes(t as FakeTask) }) as unknown as RepartitionHandoff;
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
const PAST = 0; // a deadline already passed: every call stops after one step
const LATER = () => performance.now() + 60_000;

describe('ProcessRounds', () => {
  it('stops a hand-off-fed task at the slice; the rest stays queued in order and is processed by later calls', () => {
    visits = [];
    const fed = new FakeTask('fed');
    fed.queue.push(...range(0, 50_000));
    const rounds = new ProcessRounds();
    const order = asTasks([fed]);
    const emitted: number[] = [];
    const n = rounds.run(order, handoffFeeding([fed]), PAST, () => emitted.push(fed.processed.length));
    // One step of a drained task, not everything it was handed.
    expect(n).toBe(PROCESS_BATCH_PER_TASK);
    expect(fed.queue.length).toBe(50_000 - PROCESS_BATCH_PER_TASK);
    expect(fed.queue[0]).toBe(PROCESS_BATCH_PER_TASK);
    expect(emitted).toEqual([PROCESS_BATCH_PER_TASK]);
    let calls = 1;
    while (fed.queue.length > 0) {
      expect(rounds.run(order, handoffFeeding([fed]), PAST, () => undefined)).toBe(PROCESS_BATCH_PER_TASK);
      calls++;
    }
    expect(calls).toBe(50_000 / PROCESS_BATCH_PER_TASK);
    expect(fed.processed).toEqual(range(0, 50_000));
  });

  it('with time left, a fed task drains what it was handed, and what upstream hands on is taken in the same call', () => {
    visits = [];
    const down = new FakeTask('down');
    const up = new FakeTask('up');
    up.feeds = down;
    up.queue.push(...range(0, 2_500));
    const rounds = new ProcessRounds();
    // Downstream first, as the stream thread orders them.
    const n = rounds.run(asTasks([down, up]), handoffFeeding([down]), LATER(), () => undefined);
    expect(n).toBe(5_000);
    expect(up.processed).toEqual(range(0, 2_500));
    expect(down.processed).toEqual(range(0, 2_500));
    expect(up.queue.length + down.queue.length).toBe(0);
    // Upstream takes small steps; downstream takes each step's output in the next visit.
    expect(visits.slice(0, 2_000).filter((v) => v === 'down').length).toBe(1_000);
  });

  it('goes on with the round where the last call stopped, so that every task gets its turn', () => {
    visits = [];
    const tasks = ['a', 'b', 'c'].map((name) => new FakeTask(name));
    for (const t of tasks) t.queue.push(...range(0, 10 * PROCESS_BATCH_PER_TASK));
    const rounds = new ProcessRounds();
    const order = asTasks(tasks);
    const firsts: string[] = [];
    for (let i = 0; i < 7; i++) {
      const before = visits.length;
      expect(rounds.run(order, null, PAST, () => undefined)).toBe(PROCESS_BATCH_PER_TASK);
      firsts.push(visits[before]!);
    }
    expect(firsts).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a']);
    // A new set of tasks starts a new round from the first one.
    const other = asTasks([tasks[2]!, tasks[1]!]);
    const before = visits.length;
    rounds.run(other, null, PAST, () => undefined);
    expect(visits[before]).toBe('c');
  });

  it('past the deadline, visits tasks with nothing to process until one has something', () => {
    visits = [];
    const tasks = ['a', 'b', 'c'].map((name) => new FakeTask(name));
    tasks[2]!.queue.push(1, 2, 3);
    expect(new ProcessRounds().run(asTasks(tasks), null, PAST, () => undefined)).toBe(3);
    expect(visits).toEqual(['c', 'c', 'c']);
  });

  it('stops once a whole round found nothing to process', () => {
    visits = [];
    const a = new FakeTask('a');
    const b = new FakeTask('b');
    b.queue.push(1, 2, 3);
    const rounds = new ProcessRounds();
    expect(rounds.run(asTasks([a, b]), null, LATER(), () => undefined)).toBe(3);
    expect(rounds.run(asTasks([a, b]), null, LATER(), () => undefined)).toBe(0);
    expect(rounds.run(asTasks([]), null, LATER(), () => undefined)).toBe(0);
  });
});
