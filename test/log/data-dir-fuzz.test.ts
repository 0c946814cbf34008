import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Serdes } from 'kstream';
import { randomLines } from '../../bench/data.js';
import { LogDamageError, LogFormatError } from '../../src/log/embedded/log-damage.js';
import { produce, readAll, tempDir } from '../helpers/embedded.js';
import { WORDCOUNT, countWords, expectOneLineError, kstream, requireBuild } from './cli.js';

// Corrupts random bytes of a wordcount data dir (log segments, the log state file, store files),
// then produces more input and reruns: each run must either count exactly or stop with one line
// naming the damage. KSTREAM_FUZZ_ITERATIONS runs more; KSTREAM_FUZZ_SEED replays a run;
// KSTREAM_FUZZ_VERBOSE=1 prints each damage and its outcome.
const VERBOSE = process.env.KSTREAM_FUZZ_VERBOSE === '1';
const ITERATIONS = Number(process.env.KSTREAM_FUZZ_ITERATIONS ?? 20);
const SEED = Number(process.env.KSTREAM_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const INPUT = 'streams-plaintext-input';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile() && statSync(f).size > 0);
}

/** Damages one file at a random place; returns what it did. */
function corrupt(file: string, rand: () => number): string {
  const bytes = readFileSync(file);
  const at = Math.floor(rand() * bytes.length);
  const kind = rand();
  if (kind < 0.15) {
    truncateSync(file, at);
    return `truncated to ${at} bytes`;
  }
  const n = Math.min(1 + Math.floor(rand() * 4), bytes.length - at);
  for (let i = 0; i < n; i++) bytes[at + i] = kind < 0.3 ? 0 : bytes[at + i]! ^ (1 + Math.floor(rand() * 255));
  writeFileSync(file, bytes);
  return `${kind < 0.3 ? 'zeroed' : 'flipped'} ${n} bytes at ${at}`;
}

describe('fuzz: a damaged data dir is recovered exactly or reported', () => {
  let base: string;
  let cleanup: () => void;
  const first = randomLines(300, 11, 200).texts;
  const more = randomLines(100, 12, 200).texts;
  const expected = countWords([...first, ...more]);

  beforeAll(async () => {
    requireBuild();
    ({ dir: base, cleanup } = tempDir('kstream-fuzz-'));
    await produce(join(base, 'pristine'), INPUT, first.map((value) => ({ key: null, value })));
    const r = await kstream(['run', WORDCOUNT, '--until-idle', '--data-dir', join(base, 'pristine')]);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => cleanup());

  it(`${ITERATIONS} damaged copies, each recovered exactly or stopped with one line`, { timeout: 60_000 + ITERATIONS * 20_000 }, async () => {
    console.log(`data dir fuzz: seed ${SEED} (KSTREAM_FUZZ_SEED=${SEED} replays it), ${ITERATIONS} iterations`);
    const rand = prng(SEED);
    const outcomes = { exact: 0, reported: 0 };
    for (let i = 0; i < ITERATIONS; i++) {
      const dir = join(base, `run-${i}`);
      cpSync(join(base, 'pristine'), dir, { recursive: true });
      const files = filesUnder(dir).filter((f) => !f.endsWith('LOCK'));
      const done: string[] = [];
      for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) {
        const file = files[Math.floor(rand() * files.length)]!;
        done.push(`${relative(dir, file)}: ${corrupt(file, rand)}`);
      }
      const where = `seed ${SEED}, iteration ${i}: ${done.join('; ')}`;
      const outcome = await rerun(dir, where);
      outcomes[outcome]++;
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(`data dir fuzz: ${outcomes.exact} recovered exactly, ${outcomes.reported} reported`);
    expect(outcomes.exact + outcomes.reported).toBe(ITERATIONS);
  });

  /** Produces more input, reruns and reads the counts: 'exact' or 'reported' (any other outcome fails). */
  async function rerun(dir: string, where: string): Promise<'exact' | 'reported'> {
    const damaged = (e: unknown) => {
      // In-process reads and writes fail with the log's own error, naming a file of this data dir.
      expect(e instanceof LogDamageError || e instanceof LogFormatError, `${where}: ${(e as Error).stack}`).toBe(true);
      expect((e as Error).message, where).toContain(dir);
      if (VERBOSE) console.log(`${where}\n  -> reported: ${(e as Error).message.slice(0, 200)}`);
      return 'reported' as const;
    };
    try {
      await produce(dir, INPUT, more.map((value) => ({ key: null, value })));
    } catch (e) {
      return damaged(e);
    }
    const r = await kstream(['run', WORDCOUNT, '--until-idle', '--data-dir', dir]);
    if (r.code !== 0) {
      expectOneLineError(r, new RegExp(dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      if (VERBOSE) console.log(`${where}\n  -> run reported: ${r.stderr.trim().slice(0, 200)}`);
      return 'reported';
    }
    let out;
    try {
      out = await readAll(dir, 'streams-wordcount-output', Serdes.String(), Serdes.Long());
    } catch (e) {
      return damaged(e);
    }
    const counts = new Map(out.map((rec) => [rec.key!, rec.value!]));
    expect(counts, `${where}: the rerun succeeded with wrong counts\n${r.stderr}`).toEqual(expected);
    if (VERBOSE) console.log(`${where}\n  -> exact${r.stderr.includes('WARN') ? `, with: ${r.stderr.trim().slice(0, 200)}` : ''}`);
    return 'exact';
  }
});
