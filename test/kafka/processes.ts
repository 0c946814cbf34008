/**
 * Helpers for tests that run `kstream` worker processes against the test broker: start them, wait
 * for lines in their output, produce wordcount input and check the output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomLines } from '../../bench/data.js';
import { KafkaLog } from '../../src/log/kafka/kafka-log.js';
import { silentLogger } from '../../src/common/logger.js';
import { Serdes } from '../../src/serde/serdes.js';
import { readThrough, toProduced } from '../scenarios/env.js';
import { kafkaBrokers } from './helpers.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = `${ROOT}bin/kstream.js`;
export const WORDCOUNT_APP = `${ROOT}test/kafka/fixtures/wordcount-app.ts`;

export function requireBuild(): void {
  if (!existsSync(`${ROOT}dist/cli/main.js`)) throw new Error('build first: npm run build (npm test does)');
}

export interface Proc {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first match of `re` in the output (stdout + stderr) once it appears. */
  waitFor(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  kill(signal: NodeJS.Signals): void;
}

const running = new Set<ChildProcess>();

/** Runs `kstream <args>`; every process started is killed by killAll(). */
export function kstream(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KSTREAM_LOG_LEVEL: 'info', ...env },
  });
  running.add(child);
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString('utf8');
    for (const l of [...listeners]) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      for (const l of [...listeners]) l();
      resolve({ code, signal });
    }),
  );
  return {
    child,
    pid: child.pid!,
    output: () => out,
    exited,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    waitFor(re, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(out);
          if (m !== null) {
            done();
            resolve(m);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`process exited before ${re} appeared; output:\n${out.slice(-3000)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${re}; output:\n${out.slice(-3000)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/** Kills every process kstream() started that is still running (SIGKILL), and stopped ones too. */
export function killAll(): void {
  for (const c of running) {
    try {
      c.kill('SIGCONT');
      c.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
  running.clear();
}

export async function withLog<T>(brokers: string, fn: (log: KafkaLog) => Promise<T>): Promise<T> {
  const log = await KafkaLog.open(brokers, { logger: silentLogger });
  try {
    return await fn(log);
  } finally {
    await log.close();
  }
}

/** Creates `topic` and writes `lines` random text lines to it (keys null, timestamps now). */
export async function produceLines(brokers: string, topic: string, lines: number, partitions: number, seed = 7): Promise<string[]> {
  const { texts } = randomLines(lines, seed);
  await withLog(brokers, async (log) => {
    await log.admin().createTopics([{ name: topic, partitions }]);
    const now = Date.now();
    const records = toProduced(
      topic,
      texts.map((value) => ({ key: null, value, timestamp: 0 })),
      partitions,
      now,
    );
    for (let i = 0; i < records.length; i += 20_000) await log.append(records.slice(i, i + 20_000));
  });
  return texts;
}

export function expectedWordCounts(texts: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of texts) for (const w of t.toLowerCase().split(/\W+/)) if (w) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
}

export interface WordcountCheck {
  readonly words: number;
  readonly outputRecords: number;
  /** Words whose last count is not the expected one. */
  readonly wrong: Array<[string, number | undefined, number]>;
  /** Words whose counts did not strictly increase. */
  readonly notIncreasing: string[];
}

/** Reads the output with a read_committed reader and compares it with the expected counts. */
export async function checkWordcount(brokers: string, output: string, texts: readonly string[]): Promise<WordcountCheck> {
  const expected = expectedWordCounts(texts);
  const records = await withLog(brokers, (log) => readThrough(log, output, Serdes.String(), Serdes.Long()));
  const last = new Map<string, number>();
  const notIncreasing = new Set<string>();
  for (const r of records) {
    const prev = last.get(r.key!);
    if (prev !== undefined && r.value! <= prev) notIncreasing.add(r.key!);
    last.set(r.key!, r.value!);
  }
  const wrong: Array<[string, number | undefined, number]> = [];
  for (const [w, n] of expected) if (last.get(w) !== n) wrong.push([w, last.get(w), n]);
  for (const w of last.keys()) if (!expected.has(w)) wrong.push([w, last.get(w), 0]);
  return { words: expected.size, outputRecords: records.length, wrong, notIncreasing: [...notIncreasing] };
}

/** Sum of the group's committed offsets on a topic. */
export async function committedSum(brokers: string, groupId: string, topic: string): Promise<number> {
  return withLog(brokers, async (log) => {
    const c = await log.admin().committedOffsets(groupId, [topic]);
    let sum = 0;
    for (const v of c.values()) sum += v.offset;
    return sum;
  });
}

export async function waitUntil(what: string, cond: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Runs kcat (librdkafka, an independent client) against the test broker; resolves with its stdout. */
export function kcat(args: string[], input?: string, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', ['-b', kafkaBrokers().join(','), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`kcat ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${err}`));
    });
    child.stdin.end(input ?? '');
  });
}

/** The last long count per key of a topic, read by kcat in read_committed mode. */
export async function lastCounts(topic: string): Promise<Map<string, number>> {
  const out = await kcat(['-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k\\t%s\\n', '-s', 'value=Q', '-X', 'isolation.level=read_committed']);
  const last = new Map<string, number>();
  for (const line of out.split('\n').filter(Boolean)) {
    const [k, v] = line.split('\t') as [string, string];
    last.set(k, Number(v));
  }
  return last;
}
