/**
 * kstream as users get it: `npm pack` of this repository installed into a fresh project (CommonJS,
 * as `npm init -y` makes it, and ESM), the README's examples copied in unchanged and run there
 * with the README's commands through `npx kstream`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { tempDir } from '../helpers/embedded.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README = readFileSync(`${ROOT}README.md`, 'utf8');
const PAGEVIEWS_README = readFileSync(`${ROOT}examples/pageviews/README.md`, 'utf8');

/** The README's ```bash blocks that contain `marker`, as lines. */
function bashBlock(readme: string, marker: string): string[] {
  const block = readme.split('```bash').slice(1).map((b) => b.split('```')[0]!).find((b) => b.includes(marker));
  if (block === undefined) throw new Error(`no bash block with '${marker}' in the README`);
  return block.split('\n').filter((l) => l.trim() !== '');
}

/** The first ``` block after `marker`, as non-empty lines. */
function blockAfter(readme: string, marker: string): string[] {
  return readme.slice(readme.indexOf(marker)).split('```')[1]!.split('\n').filter((l) => l.trim() !== '');
}

/** Word counts the README shows for `npm run wordcount`. */
const WORDCOUNTS = Object.fromEntries(blockAfter(README, 'prints `streams-wordcount-output`').map((l) => l.split('\t')));

/** Runs a bash script (asynchronously: a long synchronous child would block vitest's worker). */
async function sh(script: string, cwd: string, env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, npm_config_yes: 'true', npm_config_update_notifier: 'false', ...env },
      timeout: 240_000,
      maxBuffer: 16 << 20,
    });
    return stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${script}\n${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

/** The last value printed per key by `consume --print-key`. */
function lastPerKey(stdout: string): Record<string, string> {
  return Object.fromEntries(stdout.split('\n').filter((l) => l.trim() !== '').map((l) => l.split('\t')));
}

/** Per example: a few kstream processes, each starting Node and tsx, on a loaded machine. */
const TIMEOUT = 180_000;

let work: { dir: string; cleanup: () => void };
let tarball: string;

beforeAll(async () => {
  if (!existsSync(`${ROOT}dist/cli/main.js`)) throw new Error('build first: npm run build (npm test does)');
  work = tempDir('kstream-package-');
  // dist/ is current (built before the tests); the prepare script would only build it again.
  await sh(`npm pack --ignore-scripts --silent --pack-destination "${work.dir}" >/dev/null`, ROOT);
  tarball = join(work.dir, readdirSync(work.dir).find((f) => f.endsWith('.tgz'))!);
}, 120_000);
afterAll(() => work?.cleanup());

describe.each(['commonjs', 'module'])('the packed package in a fresh %s project', (type) => {
  let project: string;

  beforeAll(async () => {
    project = join(work.dir, type);
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: `user-${type}`, version: '1.0.0', private: true, type }, null, 2));
    await sh(`npm install --no-audit --no-fund --prefer-offline --loglevel=error "${tarball}"`, project);
    // The examples exactly as they are in the repository, at the same paths the READMEs use.
    for (const f of ['wordcount/wordcount.ts', 'wordcount/wordcount.sql', 'pageviews/pageviews.ts', 'pageviews/generate.ts']) {
      cpSync(join(ROOT, 'examples', f), join(project, 'examples', f));
    }
  }, 300_000);

  it("runs the README's wordcount TypeScript topology", async () => {
    const commands = bashBlock(README, 'run examples/wordcount/wordcount.ts --until-idle');
    const stdout = await sh(commands.join('\n'), project, { KSTREAM_DATA_DIR: join(project, 'data-ts') });
    expect(lastPerKey(stdout)).toEqual(WORDCOUNTS);
  }, TIMEOUT);

  it("runs the README's wordcount SQL file", async () => {
    const commands = bashBlock(README, 'run examples/wordcount/wordcount.sql --until-idle');
    const stdout = await sh(commands.join('\n'), project, { KSTREAM_DATA_DIR: join(project, 'data-sql') });
    expect(lastPerKey(stdout)).toEqual(WORDCOUNTS);
  }, TIMEOUT);

  it('runs the pageviews example with its README commands', async () => {
    const data = join(project, 'data-pageviews');
    const commands = bashBlock(PAGEVIEWS_README, 'pageviews.ts --until-idle').map((c) =>
      c.replaceAll('node bin/kstream.js', 'npx kstream').replaceAll('/tmp/kstream-pageviews', data),
    );
    const stdout = await sh(commands.join('\n'), project);
    expect(stdout.split('\n').filter((l) => l.trim() !== '')).toEqual(blockAfter(PAGEVIEWS_README, '<!-- expected-output -->'));
  }, TIMEOUT);
});
