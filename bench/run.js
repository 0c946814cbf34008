#!/usr/bin/env node
// `npm run bench -- <name> [args]`: runs bench/<name>.ts (or bench/peers/peers.ts for `peers`) with
// the flags of the `kstream` command (./node-flags.js) and tsx; no name lists them.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from './node-flags.js';

const here = dirname(fileURLToPath(import.meta.url));
const benches = new Map([['peers', join(here, 'peers', 'peers.ts')]]);
for (const f of readdirSync(here)) {
  if (f.endsWith('.ts') && f !== 'data.ts') benches.set(f.slice(0, -3), join(here, f));
}
const [name, ...args] = process.argv.slice(2);
if (name === undefined || !benches.has(name) || !existsSync(benches.get(name))) {
  const list = [...benches.keys()].sort().join(', ');
  process.stderr.write(name === undefined ? `usage: npm run bench -- <name> [args]\nbenchmarks: ${list}\n` : `bench: no benchmark '${name}' (${list})\n`);
  process.exit(name === undefined ? 0 : 1);
}
const r = spawnSync(process.execPath, [...NODE_FLAGS, '--import', 'tsx', benches.get(name), ...args], { stdio: 'inherit', cwd: join(here, '..') });
process.exit(r.status ?? 1);
