import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { KafkaStreams, Serdes, StreamsBuilder, StreamThreadExceptionResponse, metricValue, silentLogger, type StreamsState } from 'kstream';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import type { QueryListener } from '../../src/server/listener.js';
import { prepareServing } from '../../src/server/serve.js';
import { latest, produce, readAll, tempDir } from '../helpers/embedded.js';
import { freePort, httpGet, poisonedWordcount, until } from './observe-helpers.js';

type Transition = `${StreamsState}->${StreamsState}`;

function listen(streams: KafkaStreams): Transition[] {
  const seen: Transition[] = [];
  streams.setStateListener((next, old) => seen.push(`${old}->${next}`));
  return seen;
}

describe('KafkaStreams.State, the state listener and the uncaught-exception handler (embedded log)', () => {
  let cleanup: (() => void) | null = null;
  let streams: KafkaStreams | null = null;
  afterEach(async () => {
    await streams?.close().catch(() => undefined);
    streams = null;
    cleanup?.();
  });

  it('goes CREATED -> REBALANCING -> RUNNING -> PENDING_SHUTDOWN -> NOT_RUNNING', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    await produce(t.dir, 'observe-input', [{ key: null, value: 'a b' }]);
    const s = (streams = new KafkaStreams(poisonedWordcount(), { 'application.id': 'observe-states', 'data.dir': t.dir }, { logger: silentLogger }));
    const seen = listen(s);
    expect(s.state()).toBe('CREATED');
    await s.start();
    await until(() => s.state() === 'RUNNING', 'RUNNING');
    expect(() => s.setStateListener(() => undefined)).toThrow(/only be set in state CREATED/);
    await s.close();
    expect(seen).toEqual(['CREATED->REBALANCING', 'REBALANCING->RUNNING', 'RUNNING->PENDING_SHUTDOWN', 'PENDING_SHUTDOWN->NOT_RUNNING']);
    expect(s.state()).toBe('NOT_RUNNING');
  });

  it('goes to ERROR through PENDING_ERROR when a processor throws under the fail policy', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    await produce(t.dir, 'observe-input', [{ key: null, value: 'fine' }, { key: null, value: 'poison here' }]);
    const s = (streams = new KafkaStreams(poisonedWordcount(), { 'application.id': 'observe-fail', 'data.dir': t.dir, 'processing.exception.handler': 'fail' }, { logger: silentLogger }));
    const seen = listen(s);
    const errors: string[] = [];
    s.setUncaughtExceptionHandler((e) => {
      errors.push(e.message);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    await s.start();
    await expect(s.closed()).rejects.toThrow(/poison line: poison here/);
    expect(seen.slice(-2)).toEqual(['RUNNING->PENDING_ERROR', 'PENDING_ERROR->ERROR']);
    expect(seen[0]).toBe('CREATED->REBALANCING');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/poison line/);
    expect(s.state()).toBe('ERROR');
  });

  it('SHUTDOWN_APPLICATION on the embedded log stops the application (its only instance): PENDING_ERROR -> ERROR', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    await produce(t.dir, 'observe-input', [{ key: null, value: 'fine' }, { key: null, value: 'poison again' }]);
    const s = (streams = new KafkaStreams(poisonedWordcount(), { 'application.id': 'observe-shutdown-app', 'data.dir': t.dir, 'processing.exception.handler': 'fail' }, { logger: silentLogger }));
    const seen = listen(s);
    let calls = 0;
    s.setUncaughtExceptionHandler(() => {
      calls++;
      return StreamThreadExceptionResponse.SHUTDOWN_APPLICATION;
    });
    await s.start();
    await expect(s.closed()).rejects.toThrow(/poison line: poison again/);
    expect(seen.slice(-2)).toEqual(['RUNNING->PENDING_ERROR', 'PENDING_ERROR->ERROR']);
    expect(calls).toBe(1);
    expect(s.state()).toBe('ERROR');
  });

  it('REPLACE_THREAD starts a new worker that takes the uncommitted record again', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    await produce(t.dir, 'in', ['x', 'boom', 'y'].map((value) => ({ key: value, value })));
    let failures = 0;
    const builder = new StreamsBuilder();
    builder
      .stream<string, string>('in')
      .mapValues((v) => {
        if (v === 'boom' && failures++ === 0) throw new Error('transient failure');
        return v.toUpperCase();
      })
      .to('out');
    const s = (streams = new KafkaStreams(builder.build(), { 'application.id': 'observe-replace', 'data.dir': t.dir, 'processing.exception.handler': 'fail' }, { logger: silentLogger }));
    const seen = listen(s);
    s.setUncaughtExceptionHandler(() => StreamThreadExceptionResponse.REPLACE_THREAD);
    await s.run({ untilIdle: true });
    expect(failures).toBe(2);
    const out = latest(await readAll(t.dir, 'out', Serdes.String(), Serdes.String()));
    expect([...out.entries()].sort()).toEqual([['boom', 'BOOM'], ['x', 'X'], ['y', 'Y']]);
    // The replaced worker rejoined: RUNNING, REBALANCING again, RUNNING, then a normal stop.
    expect(seen).toEqual(['CREATED->REBALANCING', 'REBALANCING->RUNNING', 'RUNNING->REBALANCING', 'REBALANCING->RUNNING', 'RUNNING->PENDING_SHUTDOWN', 'PENDING_SHUTDOWN->NOT_RUNNING']);
    expect(s.metrics().find((m) => m.name === 'process-total')?.tags['thread-id']).toMatch(/-StreamThread-2$/);
  });

  it('GET /readyz is 503 while a store restores, with restore-remaining-records-total counting down', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const WORDS = 150_000;
    await produce(t.dir, 'observe-input', Array.from({ length: WORDS / 5 }, (_, i) => ({ key: null, value: `w${5 * i} w${5 * i + 1} w${5 * i + 2} w${5 * i + 3} w${5 * i + 4}` })));
    const config = { 'application.id': 'observe-restore', 'data.dir': t.dir };
    await new KafkaStreams(poisonedWordcount(), config, { logger: silentLogger }).run({ untilIdle: true });
    // Lose the local state: the next start restores 150,000 counts from the changelog.
    rmSync(join(t.dir, 'state', 'observe-restore'), { recursive: true, force: true });

    const url = `http://127.0.0.1:${await freePort()}`;
    const log = EmbeddedLog.open(t.dir);
    let listener: QueryListener | null = null;
    try {
      const serving = prepareServing(url, poisonedWordcount(), undefined);
      const s = (streams = new KafkaStreams(serving.topology, config, { log, logger: silentLogger }));
      await s.start();
      listener = await serving.start(s, log, 'observe-restore', silentLogger);
      const answers: Array<{ status: number; body: { state: string; restoringTasks: number } }> = [];
      let remainingSeen = 0;
      await until(async () => {
        const r = await httpGet(`${url}/readyz`);
        answers.push({ status: r.status, body: JSON.parse(r.text) as { state: string; restoringTasks: number } });
        remainingSeen = Math.max(remainingSeen, metricValue(s.metrics(), 'restore-remaining-records-total', { 'task-id': '1_0' }) ?? 0);
        return r.status === 200;
      }, 'ready', 120_000, 5);
      const restoring = answers.filter((a) => a.status === 503 && a.body.restoringTasks > 0);
      expect(restoring.length).toBeGreaterThan(0);
      expect(restoring[0]!.body.state).toBe('REBALANCING');
      expect(remainingSeen).toBeGreaterThan(0);
      expect(remainingSeen).toBeLessThanOrEqual(WORDS);
      expect(metricValue(s.metrics(), 'restore-total', { 'task-id': '1_0' })).toBe(WORDS);
      expect(metricValue(s.metrics(), 'restore-remaining-records-total', { 'task-id': '1_0' })).toBe(0);
      expect(answers.at(-1)!.body.state).toBe('RUNNING');
    } finally {
      await listener?.close();
      await streams?.close();
      streams = null;
      await log.close();
    }
  });
});
