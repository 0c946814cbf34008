/**
 * One combined console for two workers of an application on Kafka, in a real browser (Debian's
 * chromium): worker a's page lists both workers with their tasks, a total, and a throughput line
 * per worker that moves. The screenshot is kept in test-artifacts/console-workers.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { KafkaStreams, silentLogger } from 'kstream';
import { KafkaLog } from '../../src/log/kafka/kafka-log.js';
import type { QueryListener } from '../../src/server/listener.js';
import { prepareServing } from '../../src/server/serve.js';
import type { ClusterStatus } from '../../src/server/observe/cluster-status.js';
import { ensureCommand, findOnPath } from '../helpers/system-tools.js';
import { freePort, httpGet, poisonedWordcount, until } from '../observe/observe-helpers.js';
import { kafkaBrokers, kafkaVersion, uniqueId } from './helpers.js';
import { produceLines } from './processes.js';

describe(`one console for two workers on Kafka ${kafkaVersion()}`, () => {
  const app = uniqueId('console-workers');
  const input = `${app}-input`;
  const brokers = kafkaBrokers().join(',');
  const stops: Array<() => Promise<void>> = [];
  let dir = '';
  let browser: Browser | null = null;
  let feeding: NodeJS.Timeout | null = null;
  const hosts: string[] = [];

  beforeAll(async () => {
    ensureCommand('chromium', 'chromium', { timeoutMs: 15 * 60_000 });
    dir = mkdtempSync(join(tmpdir(), 'kstream-console-workers-'));
    await produceLines(brokers, input, 500, 4);
    const log = await KafkaLog.open(brokers, { logger: silentLogger });
    stops.push(() => log.close());
    for (const worker of ['a', 'b']) {
      const port = await freePort();
      const host = `127.0.0.1:${port}`;
      hosts.push(host);
      const serving = prepareServing(`http://${host}`, poisonedWordcount(input, `${app}-output`), undefined);
      const config = { 'application.id': app, 'bootstrap.servers': brokers, 'state.dir': join(dir, worker), 'commit.interval.ms': 200, 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 500, 'application.server': host };
      const streams = new KafkaStreams(serving.topology, config, { logger: silentLogger });
      await streams.start();
      stops.push(() => streams.close());
      const listener: QueryListener = await serving.start(streams, log, app, silentLogger);
      stops.push(() => listener.close());
    }
    // Input keeps coming on every partition while the page is open.
    let round = 0;
    feeding = setInterval(() => {
      round++;
      void log.append(Array.from({ length: 40 + (round % 5) * 30 }, (_, i) => ({ topic: input, partition: i % 4, key: null, value: `w${(round * 13 + i) % 200} live ${round}`, timestamp: Date.now() }))).catch(() => undefined);
    }, 250);
    browser = await puppeteer.launch({ executablePath: findOnPath('chromium')!, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  });

  afterAll(async () => {
    if (feeding !== null) clearInterval(feeding);
    await browser?.close();
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('worker a shows both workers, their tasks and a total; each worker has a moving throughput line', async () => {
    const [a, b] = hosts as [string, string];
    let cluster: ClusterStatus | null = null;
    await until(async () => {
      cluster = JSON.parse((await httpGet(`http://${a}/console/cluster.json`)).text) as ClusterStatus;
      return cluster.workers.length === 2 && cluster.workers.every((w) => w.state === 'RUNNING' && w.tasks.length > 0);
    }, 'both workers RUNNING with tasks in a\'s cluster view', 120_000, 500);
    const c = cluster!;
    expect(c.workers.map((w) => w.host).sort()).toEqual([a, b].sort());
    expect(c.workers.find((w) => w.host === a)!.self).toBe(true);
    // Every task of the two sub-topologies is on exactly one worker.
    expect(c.workers.flatMap((w) => w.tasks.map((t) => t.id)).sort()).toEqual(['0_0', '0_1', '0_2', '0_3', '1_0', '1_1', '1_2', '1_3']);
    expect(c.total.processTotal).toBe(c.workers.reduce((n, w) => n + w.processTotal, 0));

    const page = await browser!.newPage();
    await page.setViewport({ width: 1400, height: 1100 });
    await page.goto(`http://${a}/console`, { waitUntil: 'load', timeout: 30_000 });
    await until(async () => (await page.$$('#workers tbody tr')).length === 2, 'two workers in the table', 30_000, 200);
    expect((await page.$$eval('#workers tbody tr', (rows) => rows.map((r) => r.getAttribute('data-worker')))).sort()).toEqual([a, b].sort());
    const taskWorkers = await page.$$eval('#tasks tbody tr', (rows) => rows.map((r) => `${r.getAttribute('data-task')}@${r.getAttribute('data-worker')}`));
    expect(taskWorkers).toHaveLength(8);
    expect(new Set(taskWorkers.map((t) => t.split('@')[1]))).toEqual(new Set([a, b]));
    expect(await page.$eval('#workers tfoot', (f) => f.textContent ?? '')).toMatch(/^total/);

    const line = (series: string) => page.$eval(`#throughput-chart polyline[data-series="${series}"]`, (p) => p.getAttribute('points') ?? '').catch(() => '');
    await until(async () => (await line(`worker ${b}`)) !== '' && (await line('total')) !== '', 'a line per worker and the total', 30_000, 200);
    const before = [await line(`worker ${a}`), await line(`worker ${b}`)];
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await line(`worker ${a}`)).not.toBe(before[0]);
    expect(await line(`worker ${b}`)).not.toBe(before[1]);

    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/console-workers.png', fullPage: true });
    await page.close();
  });
});
