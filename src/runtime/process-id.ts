import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../common/logger.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * This worker's process id, kept in its state directory (as Kafka Streams keeps its process UUID
 * there): the same worker restarted on the same state directory has the same id, so its
 * exactly_once_v2 transactional id is the same and its first InitProducerId aborts the transaction
 * its killed predecessor left open at once, instead of the broker after transaction.timeout.ms.
 * The directory is locked by the caller (claimApplication), so no two live workers share an id.
 */
export function loadProcessId(stateDir: string, applicationId: string, logger: Logger): string {
  const file = join(stateDir, `${applicationId}.process-id`);
  let text: string | null = null;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    // First start on this state directory.
  }
  if (text !== null && UUID.test(text)) return text;
  if (text !== null) logger.warn(`state dir ${stateDir}: ${applicationId}.process-id does not hold a process id; a new one is written`);
  const id = randomUUID();
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${id}\n`);
  renameSync(tmp, file);
  return id;
}
