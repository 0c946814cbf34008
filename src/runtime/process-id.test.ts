import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../common/logger.js';
import { silentLogger } from '../common/logger.js';
import { loadProcessId } from './process-id.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kstream-process-id-'));
  dirs.push(d);
  return d;
}

describe('loadProcessId', () => {
  it('is kept in the state dir: the same id for the same dir and application, another for another', () => {
    const dir = stateDir();
    const first = loadProcessId(dir, 'app', silentLogger);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(loadProcessId(dir, 'app', silentLogger)).toBe(first);
    expect(readFileSync(join(dir, 'app.process-id'), 'utf8')).toBe(`${first}\n`);
    expect(loadProcessId(dir, 'other-app', silentLogger)).not.toBe(first);
    expect(loadProcessId(stateDir(), 'app', silentLogger)).not.toBe(first);
  });

  it('replaces a damaged file with a new id and says so', () => {
    const dir = stateDir();
    writeFileSync(join(dir, 'app.process-id'), '../../etc/passwd\u0000garbage');
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (m: string) => void warnings.push(m) } as Logger;
    const id = loadProcessId(dir, 'app', logger);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(warnings).toEqual([`state dir ${dir}: app.process-id does not hold a process id; a new one is written`]);
    expect(loadProcessId(dir, 'app', silentLogger)).toBe(id);
  });
});
