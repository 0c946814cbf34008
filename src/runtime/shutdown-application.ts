/**
 * SHUTDOWN_APPLICATION: the worker that died asks its group, before it leaves, to stop every
 * instance (Kafka Streams' AssignorError.SHUTDOWN_REQUESTED; see log/shutdown-requested.ts). On a
 * log whose group has this process as its only member (embedded) the application is this
 * instance, and stopping it is all there is to do.
 */
import type { GroupConsumer } from '../log/types.js';
import type { Logger } from '../common/logger.js';

/** How long the group has to pass the request on to every instance. */
export const SHUTDOWN_REQUEST_TIMEOUT_MS = 60_000;

export async function requestApplicationShutdown(member: GroupConsumer, applicationId: string, logger: Logger, timeoutMs = SHUTDOWN_REQUEST_TIMEOUT_MS): Promise<void> {
  if (member.requestShutdown === undefined) return;
  try {
    if (await member.requestShutdown(timeoutMs)) logger.info(`SHUTDOWN_APPLICATION: every instance of '${applicationId}' was told to shut down`);
    else logger.warn(`SHUTDOWN_APPLICATION: the group of '${applicationId}' did not pass the request on; other instances may still run`);
  } catch (error) {
    logger.warn(`SHUTDOWN_APPLICATION: could not tell the other instances of '${applicationId}': ${(error as Error).message}`);
  }
}
