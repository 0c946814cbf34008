import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KafkaStreams, Serdes, metricValue, silentLogger } from 'kstream';
import pageviews, { config } from '../../examples/pageviews/pageviews.js';
import { pageViews, users } from '../../examples/pageviews/generate.js';
import { produce, readAll, tempDir } from '../helpers/embedded.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README = readFileSync(`${ROOT}examples/pageviews/README.md`, 'utf8');

/** The block after `<!-- expected-output -->` in the README. */
function expectedOutput(): string[] {
  const at = README.indexOf('<!-- expected-output -->');
  const block = README.slice(at).split('```')[1]!;
  return block.split('\n').filter((l) => l.trim() !== '');
}

/** The commands of the README's "Run it" block. */
function readmeCommands(): string[] {
  const run = README.slice(README.indexOf('## Run it'));
  const block = run.split('```bash')[1]!.split('```')[0]!;
  return block.split('\n').filter((l) => l.trim() !== '');
}

describe('examples/pageviews', () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  it('produces the README expected output (in process)', async () => {
    const t = tempDir('kstream-pageviews-');
    cleanup = t.cleanup;
    await produce(t.dir, 'users', users().map(([key, v]) => ({ key, value: JSON.stringify(v), timestamp: 0 })));
    await produce(t.dir, 'pageviews', pageViews().map(([key, v]) => ({ key, value: JSON.stringify(v), timestamp: Date.now() })));
    const app = new KafkaStreams(pageviews(), { ...config, 'data.dir': t.dir, logger: silentLogger });
    await app.run({ untilIdle: true });
    expect(metricValue(app.metrics(), 'dropped-records-total')).toBe(1); // the view of 10:01:30 arriving at 10:04:45
    const out = await readAll(t.dir, 'pageviews-per-region', Serdes.String(), Serdes.Long());
    expect(out.map((r) => `${r.key}\t${r.value}`)).toEqual(expectedOutput());
  });

  // Needs a build that has windows (npm test builds first).
  const built = existsSync(`${ROOT}dist/cli/main.js`) && readFileSync(`${ROOT}dist/index.js`, 'utf8').includes('TimeWindows');
  it.skipIf(!built)('the README commands print the expected output (CLI from dist/)', () => {
    const t = tempDir('kstream-pageviews-cli-');
    cleanup = t.cleanup;
    const script = readmeCommands()
      .map((c) => c.replaceAll('/tmp/kstream-pageviews', t.dir))
      .join('\n');
    const stdout = execFileSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(stdout.split('\n').filter((l) => l.trim() !== '')).toEqual(expectedOutput());
  });
});
