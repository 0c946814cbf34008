import { readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../common/logger.js';

/**
 * A record the watchdog found stuck (src/runtime/watchdog.ts writes it when it stops the
 * application). The next run of the task does not process it again: under log-and-continue it
 * goes to the dead-letter topic, under fail the task stops before it.
 */
export interface TimedOutRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timeoutMs: number;
  readonly stuckMs: number;
  readonly at: string;
}

export const TIMED_OUT_RECORD_FILE = 'timed-out-record.json';

/** `<state.dir>/<application.id>/<task id>/timed-out-record.json` */
export function timedOutRecordPath(stateDir: string, applicationId: string, taskId: string): string {
  return join(stateDir, applicationId, taskId, TIMED_OUT_RECORD_FILE);
}

function isTimedOutRecord(x: unknown): x is TimedOutRecord {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  const count = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  return typeof r.topic === 'string' && count(r.partition) && count(r.offset) && count(r.timeoutMs) && count(r.stuckMs) && typeof r.at === 'string';
}

/** The file's record, or null when there is none; a damaged file is reported and ignored. */
export function readTimedOutRecord(path: string, logger: Logger): TimedOutRecord | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    logger.warn(`cannot read ${path}: ${(e as Error).message}; ignoring it`);
    return null;
  }
  let parsed: unknown;
  try {
    parsed = text.length <= 4096 ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!isTimedOutRecord(parsed)) {
    logger.warn(`${path} is damaged (not a timed-out record); ignoring it`);
    return null;
  }
  return parsed;
}

export function forgetTimedOutRecord(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** Processing a record that timed out in an earlier run (the error of its dead-letter record). */
export class RecordTimeoutError extends Error {
  override readonly name = 'RecordTimeoutError';
}
