/**
 * Kafka Streams' KafkaStreams.State, its allowed transitions, the state listener and the
 * uncaught-exception handler's responses.
 */
import type { Logger } from '../common/logger.js';

export type StreamsState = 'CREATED' | 'REBALANCING' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'NOT_RUNNING' | 'PENDING_ERROR' | 'ERROR';

/** Called on every state change, on the thread that changed it (keep it short). */
export type StateListener = (newState: StreamsState, oldState: StreamsState) => void;

/** What to do after a worker thread died of an exception (Kafka Streams' StreamThreadExceptionResponse). */
export const StreamThreadExceptionResponse = {
  /** Start a new worker in its place (it rejoins and takes the tasks back). */
  REPLACE_THREAD: 'REPLACE_THREAD',
  /** Stop this instance: PENDING_ERROR, then ERROR. */
  SHUTDOWN_CLIENT: 'SHUTDOWN_CLIENT',
  /** Stop the application: every instance in the group goes to PENDING_ERROR, then ERROR (see shutdown-application.ts). */
  SHUTDOWN_APPLICATION: 'SHUTDOWN_APPLICATION',
} as const;
export type StreamThreadExceptionResponse = (typeof StreamThreadExceptionResponse)[keyof typeof StreamThreadExceptionResponse];

export type StreamsUncaughtExceptionHandler = (error: Error) => StreamThreadExceptionResponse;

const NEXT: Readonly<Record<StreamsState, readonly StreamsState[]>> = {
  CREATED: ['REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  REBALANCING: ['RUNNING', 'REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  RUNNING: ['REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  PENDING_SHUTDOWN: ['NOT_RUNNING'],
  NOT_RUNNING: [],
  PENDING_ERROR: ['ERROR'],
  ERROR: [],
};

/** The current state, moved only along Kafka Streams' transitions; the listener hears each move. */
export class StateMachine {
  private current: StreamsState = 'CREATED';
  private listener: StateListener | null = null;

  constructor(private readonly logger: Logger) {}

  get state(): StreamsState {
    return this.current;
  }

  /** The application has not stopped nor is stopping. */
  get live(): boolean {
    return this.current === 'CREATED' || this.current === 'REBALANCING' || this.current === 'RUNNING';
  }

  setListener(listener: StateListener): void {
    if (this.current !== 'CREATED') throw new Error(`a state listener can only be set in state CREATED, not ${this.current}`);
    this.listener = listener;
  }

  /** Moves to `next` if Kafka Streams allows it from here; returns whether it moved. */
  to(next: StreamsState): boolean {
    const old = this.current;
    if (old === next || !NEXT[old].includes(next)) return false;
    this.current = next;
    try {
      this.listener?.(next, old);
    } catch (error) {
      this.logger.warn(`state listener failed on ${old} -> ${next}: ${(error as Error).message}`);
    }
    return true;
  }
}
