/**
 * The lifecycle of an active task, by Kafka Streams' names (Task.State):
 *
 *   CREATED → RESTORING → RUNNING → SUSPENDED → CLOSED
 *                 │                  │  ▲ │
 *                 └──────────────────┘  │ └─→ RESTORING (assigned again: resumed)
 *   CREATED ────────────────────────────┘
 *
 * A task is suspended before it is closed (its processing stopped, its work committed or
 * dropped), and a suspended task that is assigned again resumes through RESTORING.
 */
export type TaskState = 'CREATED' | 'RESTORING' | 'RUNNING' | 'SUSPENDED' | 'CLOSED';

const NEXT: Readonly<Record<TaskState, readonly TaskState[]>> = {
  CREATED: ['RESTORING', 'SUSPENDED'],
  RESTORING: ['RUNNING', 'SUSPENDED'],
  RUNNING: ['SUSPENDED'],
  SUSPENDED: ['RESTORING', 'CLOSED'],
  CLOSED: [],
};

export function isValidTaskTransition(from: TaskState, to: TaskState): boolean {
  return NEXT[from].includes(to);
}

/** A transition the lifecycle does not allow: a bug in the runtime, never a user error. */
export class IllegalTaskStateError extends Error {
  override readonly name = 'IllegalTaskStateError';
}

/** The state of one task, changed only along the lifecycle's edges. */
export class TaskLifecycle {
  private current: TaskState = 'CREATED';

  constructor(readonly taskId: string) {}

  get state(): TaskState {
    return this.current;
  }

  transitionTo(next: TaskState): void {
    if (!isValidTaskTransition(this.current, next)) {
      throw new IllegalTaskStateError(`task ${this.taskId}: invalid transition from ${this.current} to ${next}`);
    }
    this.current = next;
  }
}
