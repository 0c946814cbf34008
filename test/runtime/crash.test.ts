import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EmbeddedLog, Serdes } from 'kstream';
import { randomLines } from '../../bench/data.js';
import { produce, readAll, tempDir } from '../helpers/embedded.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = `${ROOT}bin/kstream.js`;
const LINES = Number(process.env.KSTREAM_CRASH_LINES ?? 200_000);
const KILLS = 5;

/**
 * Runs wordcount; with `killAfterMs`, kills it (SIGKILL) that long after its first commit: start-up
 * takes seconds on a loaded machine, and a kill before any processing tests nothing.
 */
function runWordcount(dataDir: string, killAfterMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'run', `${ROOT}examples/wordcount/wordcount.ts`, '--data-dir', dataDir, '--until-idle'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let timer: NodeJS.Timeout | null = null;
    let exited = false;
    if (killAfterMs !== undefined) {
      void (async () => {
        const before = await committedInput(dataDir);
        while (!exited && (await committedInput(dataDir)) === before) await new Promise((r) => setTimeout(r, 50));
        if (!exited) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      })();
    }
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      exited = true;
      if (timer !== null) clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

async function committedInput(dataDir: string): Promise<number> {
  const log = EmbeddedLog.open(dataDir);
  try {
    const committed = await log.admin().committedOffsets('streams-wordcount', ['streams-plaintext-input']);
    return [...committed.values()].reduce((sum, c) => sum + c.offset, 0);
  } finally {
    await log.close();
  }
}

describe('exactly_once survives kill -9', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => {
    if (!existsSync(`${ROOT}dist/cli/main.js`)) throw new Error('build first: npm run build (npm test does)');
    ({ dir, cleanup } = tempDir('kstream-crash-'));
  });
  afterAll(() => cleanup());

  it(`counts ${LINES} random lines exactly despite ${KILLS} SIGKILLs at random moments`, async () => {
    const { texts } = randomLines(LINES, 7);
    await produce(
      dir,
      'streams-plaintext-input',
      texts.map((value, i) => ({ key: null, value, timestamp: i })),
      2,
    );
    const expected = new Map<string, number>();
    for (const t of texts) for (const w of t.toLowerCase().split(/\W+/)) if (w) expected.set(w, (expected.get(w) ?? 0) + 1);

    let seed = 12345;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
    let killed = 0;
    let killedMidStream = 0;
    for (let i = 0; i < KILLS; i++) {
      const r = await runWordcount(dir, Math.floor(rand() * 1500));
      if (r.signal === 'SIGKILL') killed++;
      else expect(r.code, r.stderr).toBe(0);
      const consumed = await committedInput(dir);
      if (r.signal === 'SIGKILL' && consumed > 0 && consumed < LINES) killedMidStream++;
    }
    expect(killed).toBeGreaterThanOrEqual(3);
    // The kills must land while the input is partly processed, not only at startup or the end.
    expect(killedMidStream).toBeGreaterThanOrEqual(2);
    const final = await runWordcount(dir);
    expect(final.code, final.stderr).toBe(0);

    const out = await readAll(dir, 'streams-wordcount-output', Serdes.String(), Serdes.Long());
    const sequences = new Map<string, number[]>();
    for (const r of out) {
      let seq = sequences.get(r.key!);
      if (seq === undefined) sequences.set(r.key!, (seq = []));
      seq.push(r.value!);
    }
    const notIncreasing = [...sequences].filter(([, seq]) => seq.some((v, i) => i > 0 && v <= seq[i - 1]!));
    expect(notIncreasing.slice(0, 3)).toEqual([]);
    const last = new Map([...sequences].map(([w, seq]) => [w, seq[seq.length - 1]!]));
    const wrong = [...expected].filter(([w, n]) => last.get(w) !== n);
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(last.size).toBe(expected.size);
  }, 600_000);
});
