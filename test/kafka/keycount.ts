/** The keycount fixture app and its helpers, shared by the standby and warm-up tests. */
import { expect } from 'vitest';
import { Serdes } from '../../src/serde/serdes.js';
import { readThrough, toProduced } from '../scenarios/env.js';
import { join } from 'node:path';
import { ROOT, kstream, withLog, type Proc } from './processes.js';

export const KEYCOUNT_APP = `${ROOT}test/kafka/fixtures/keycount-app.ts`;

/** A `kstream run` worker of the keycount app `app` (input `<app>-input`, output `<app>-output`), its state dir `<dir>/<app>-<name>`. */
export function keycountWorker(o: { brokers: string; dir: string; app: string; name: string; settings: string; guarantee: string }): Proc {
  return kstream(['run', KEYCOUNT_APP, '--brokers', o.brokers, '--state-dir', join(o.dir, `${o.app}-${o.name}`), '--config', o.settings, '--guarantee', o.guarantee], {
    KSTREAM_TEST_APP_ID: o.app,
    KSTREAM_TEST_INPUT: `${o.app}-input`,
    KSTREAM_TEST_OUTPUT: `${o.app}-output`,
  });
}

/** Appends `count` records keyed k<i mod keys> (i from `first`); returns the count per key they add. */
export async function produceKeys(brokers: string, topic: string, partitions: number, first: number, count: number, keys: number, into: Map<string, number>): Promise<void> {
  const input: Array<{ key: string; value: string; timestamp: number }> = [];
  for (let i = first; i < first + count; i++) {
    const key = `k${i % keys}`;
    input.push({ key, value: 'x', timestamp: 0 });
    into.set(key, (into.get(key) ?? 0) + 1);
  }
  await withLog(brokers, async (log) => {
    const records = toProduced(topic, input, partitions, Date.now());
    for (let i = 0; i < records.length; i += 20_000) await log.append(records.slice(i, i + 20_000));
  });
}

/** The task list a worker's last "generation ..." line gave it, and its standby list. */
export function lastAssignment(p: Proc): { generation: number; tasks: string[]; standby: string[] } | null {
  const m = [...p.output().matchAll(/generation (\d+), member \w+.*: tasks \[([^\]]*)\](?:, standby \[([^\]]*)\])?/g)].pop();
  if (m === undefined) return null;
  const list = (s: string | undefined) => (s === undefined || s === '' ? [] : s.split(', '));
  return { generation: Number(m[1]), tasks: list(m[2]), standby: list(m[3]) };
}

/** Stops the workers with SIGTERM (each must exit 0), then checks the last count per key on `output`. */
export async function stopAndCheckCounts(workers: readonly Proc[], brokers: string, output: string, expected: ReadonlyMap<string, number>): Promise<void> {
  for (const w of workers) w.kill('SIGTERM');
  for (const w of workers) expect((await w.exited).code, w.output().slice(-3000)).toBe(0);
  const records = await withLog(brokers, (log) => readThrough(log, output, Serdes.String(), Serdes.Long()));
  const last = new Map<string, number>();
  for (const r of records) last.set(r.key!, r.value!);
  expect(last.size).toBe(expected.size);
  const wrong = [...expected].filter(([k, n]) => last.get(k) !== n);
  expect(wrong.slice(0, 5)).toEqual([]);
}
