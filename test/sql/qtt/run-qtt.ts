/**
 * Runs ksqlDB's QTT files and prints pass rates of the registry-format cases and the JSON cases:
 *   npx tsx test/sql/qtt/run-qtt.ts [dir-or-files...] [--failures] [--name=<text>]
 * (default: the files vendored in test/sql/qtt/files); --name=<text> runs the cases whose name contains it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { queryTestDriver } from '../../../src/sql/planner/test-driver.js';
import { parseQttFile } from '../../../src/sql/testrunner/qtt.js';
import { qttCaseGroup, runQttCase } from '../../../src/sql/testrunner/qtt-runner.js';

const args = process.argv.slice(2);
const showFailures = args.includes('--failures');
const only = args.find((a) => a.startsWith('--name='))?.slice('--name='.length);
const paths = args.filter((a) => !a.startsWith('--'));
const roots = paths.length > 0 ? paths : [fileURLToPath(new URL('./files', import.meta.url))];
const files = roots.flatMap((p) => (statSync(p).isDirectory() ? readdirSync(p).filter((f) => f.endsWith('.json')).sort().map((f) => join(p, f)) : [p]));

const tally = new Map<string, Record<string, number>>();
for (const f of files) {
  let cases;
  try {
    cases = parseQttFile(readFileSync(f, 'utf8'), f);
  } catch (e) {
    console.log(`file\t${f}\t${(e as Error).message}`);
    continue;
  }
  for (const c of cases) {
    if (only !== undefined && !c.name.includes(only)) continue;
    const r = await runQttCase(c, queryTestDriver);
    const g = qttCaseGroup(c);
    const t = tally.get(g) ?? {};
    t[r.outcome] = (t[r.outcome] ?? 0) + 1;
    tally.set(g, t);
    if (showFailures && (r.outcome === 'failed' || r.outcome === 'error-missed')) {
      console.log(`${g}\t${c.file}\t${c.name}\t${(r.message ?? '').split('\n')[0]!.slice(0, 300)}`);
    }
  }
}
for (const [g, t] of tally) {
  const ok = (t.passed ?? 0) + (t['error-raised'] ?? 0);
  const all = ok + (t.failed ?? 0) + (t['error-missed'] ?? 0);
  console.log(`${g}: ${ok}/${all} (${((100 * ok) / all).toFixed(1)}%) passed=${t.passed ?? 0} failed=${t.failed ?? 0} expected-error-raised=${t['error-raised'] ?? 0} expected-error-missed=${t['error-missed'] ?? 0}`);
}
