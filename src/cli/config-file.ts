import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { UserError } from './errors.js';

/** Reads a config file: JSON, or Java-style `.properties` (key=value lines, # comments). */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read config file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (extname(path) === '.json') {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('expected an object');
      return parsed as Record<string, unknown>;
    } catch (e) {
      throw new UserError(`${path}: invalid JSON config: ${(e as Error).message}`);
    }
  }
  const out: Record<string, unknown> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) return;
    const m = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
    if (m === null) throw new UserError(`${path}:${i + 1}: expected key=value`);
    out[m[1]!] = m[2]!;
  });
  return out;
}
