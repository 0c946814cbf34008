import { describe, expect, it } from 'vitest';
import { IllegalTaskStateError, TaskLifecycle, type TaskState, isValidTaskTransition } from './task-state.js';

const STATES: TaskState[] = ['CREATED', 'RESTORING', 'RUNNING', 'SUSPENDED', 'CLOSED'];

describe('task lifecycle', () => {
  it('allows exactly the transitions of Kafka Streams (suspend before close, resume through RESTORING)', () => {
    const allowed = STATES.flatMap((from) => STATES.filter((to) => isValidTaskTransition(from, to)).map((to) => `${from}->${to}`));
    expect(allowed).toEqual([
      'CREATED->RESTORING',
      'CREATED->SUSPENDED',
      'RESTORING->RUNNING',
      'RESTORING->SUSPENDED',
      'RUNNING->SUSPENDED',
      'SUSPENDED->RESTORING',
      'SUSPENDED->CLOSED',
    ]);
  });

  it('walks a task through create, restore, run, suspend, resume and close', () => {
    const task = new TaskLifecycle('1_2');
    const seen: TaskState[] = [task.state];
    for (const next of ['RESTORING', 'RUNNING', 'SUSPENDED', 'RESTORING', 'RUNNING', 'SUSPENDED', 'CLOSED'] as const) {
      task.transitionTo(next);
      seen.push(task.state);
    }
    expect(seen).toEqual(['CREATED', 'RESTORING', 'RUNNING', 'SUSPENDED', 'RESTORING', 'RUNNING', 'SUSPENDED', 'CLOSED']);
  });

  it('refuses a transition off the lifecycle, naming the task and both states, and keeps the state', () => {
    const task = new TaskLifecycle('0_3');
    task.transitionTo('RESTORING');
    task.transitionTo('RUNNING');
    expect(() => task.transitionTo('CLOSED')).toThrow(IllegalTaskStateError);
    expect(() => task.transitionTo('CLOSED')).toThrow('task 0_3: invalid transition from RUNNING to CLOSED');
    expect(task.state).toBe('RUNNING');
    task.transitionTo('SUSPENDED');
    task.transitionTo('CLOSED');
    expect(() => task.transitionTo('CREATED')).toThrow('task 0_3: invalid transition from CLOSED to CREATED');
    expect(task.state).toBe('CLOSED');
  });
});
