/**
 * SHUTDOWN_APPLICATION across a group (Kafka Streams' AssignorError.SHUTDOWN_REQUESTED): a member
 * that wants the whole application to stop says so in its subscription; the leader then puts this
 * error code in every member's assignment, and each member that receives it stops with this error.
 */

/** Kafka Streams' AssignorError.SHUTDOWN_REQUESTED code, carried in the assignment's user data. */
export const SHUTDOWN_REQUESTED = 2;

/** Thrown by a group member's poll() once its assignment carries SHUTDOWN_REQUESTED. */
export class ShutdownRequestedError extends Error {
  override readonly name = 'ShutdownRequestedError';

  constructor(readonly groupId: string) {
    super(`another instance of application '${groupId}' requested SHUTDOWN_APPLICATION; shutting down`);
  }
}
