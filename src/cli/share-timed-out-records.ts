import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TIMED_OUT_RECORD_FILE } from '../runtime/timed-out-record.js';

/**
 * With `--workers`, the task that got stuck may go to another worker on the rerun, whose state
 * dir does not know the record. The supervisor copies what the stopped worker remembered
 * (`<state-dir>/worker-<i>/<app>/<task>/timed-out-record.json`) into every other worker's state
 * dir; a copy whose record is already committed past is forgotten by the task that reads it.
 */
export function shareTimedOutRecords(baseStateDir: string, from: number, workers: number): number {
  const source = join(baseStateDir, `worker-${from}`);
  const found: string[] = [];
  for (const app of subdirs(source)) {
    for (const task of subdirs(join(source, app))) {
      if (existsSync(join(source, app, task, TIMED_OUT_RECORD_FILE))) found.push(join(app, task, TIMED_OUT_RECORD_FILE));
    }
  }
  for (let i = 0; i < workers; i++) {
    if (i === from) continue;
    for (const rel of found) {
      const target = join(baseStateDir, `worker-${i}`, rel);
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(join(source, rel), target);
    }
  }
  return found.length;
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}
