/**
 * The web console in a real browser (Debian's chromium, driven by puppeteer-core): it draws every
 * processor and store of the topology, its throughput chart moves, dead letters show their error
 * headers. The screenshot is kept in test-artifacts/console.png (git-ignored).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';
import { KafkaStreams, silentLogger } from 'kstream';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import type { QueryListener } from '../../src/server/listener.js';
import { prepareServing } from '../../src/server/serve.js';
import { ensureCommand, findOnPath } from '../helpers/system-tools.js';
import { produce, tempDir } from '../helpers/embedded.js';
import { freePort, poisonedWordcount, until } from './observe-helpers.js';

const ARTIFACTS = 'test-artifacts';

describe('the web console in chromium', () => {
  let browser: Browser | null = null;
  let streams: KafkaStreams | null = null;
  let listener: QueryListener | null = null;
  let log: EmbeddedLog | null = null;
  let cleanup: (() => void) | null = null;
  let feeding: NodeJS.Timeout | null = null;
  let url = '';

  beforeAll(async () => {
    ensureCommand('chromium', 'chromium', { timeoutMs: 15 * 60_000 });
    const t = tempDir();
    cleanup = t.cleanup;
    await produce(t.dir, 'observe-input', Array.from({ length: 5 }, (_, i) => ({ key: null, value: `poison ${i}` })));
    url = `http://127.0.0.1:${await freePort()}`;
    log = EmbeddedLog.open(t.dir);
    const serving = prepareServing(url, poisonedWordcount(), undefined);
    streams = new KafkaStreams(serving.topology, { 'application.id': 'observe-console', 'data.dir': t.dir, 'commit.interval.ms': 200 }, { log, logger: silentLogger });
    await streams.start();
    listener = await serving.start(streams, log, 'observe-console', silentLogger);
    // Input keeps coming while the page is open: a varying amount every 200 ms.
    let round = 0;
    const feed = log;
    feeding = setInterval(() => {
      round++;
      const n = 50 + (round % 7) * 80;
      void feed.append(Array.from({ length: n }, (_, i) => ({ topic: 'observe-input', partition: 0, key: null, value: `w${(round * 31 + i) % 300} live line ${round}`, timestamp: Date.now() })));
    }, 200);
    browser = await puppeteer.launch({ executablePath: findOnPath('chromium')!, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  });

  afterAll(async () => {
    if (feeding !== null) clearInterval(feeding);
    await browser?.close();
    await listener?.close();
    await streams?.close().catch(() => undefined);
    await log?.close();
    cleanup?.();
  });

  it('shows the topology, a moving throughput chart, tasks and the dead letters', async () => {
    const page = await browser!.newPage();
    await page.setViewport({ width: 1400, height: 1000 });
    await page.goto(`${url}/console`, { waitUntil: 'load', timeout: 30_000 });
    await page.waitForSelector('svg.topology g.node', { timeout: 30_000 });

    const drawn = await page.$$eval('svg.topology g.node', (nodes) => nodes.map((n) => n.getAttribute('data-id')));
    const description = poisonedWordcount().describe();
    for (const st of description.subtopologies) for (const n of st.nodes) expect(drawn).toContain(n.name);
    expect(drawn).toContain('store:counts');
    expect(drawn).toContain('topic:observe-input');
    expect(drawn).toContain('topic:observe-output');
    expect(drawn).toContain('topic:counts-repartition');
    expect(drawn).toContain('topic:counts-changelog');

    const workerLine = () => page.$eval('#throughput-chart polyline[data-series="total"]', (p) => p.getAttribute('points') ?? '').catch(() => '');
    await until(async () => (await workerLine()) !== '', 'the throughput chart', 30_000, 200);
    const before = await workerLine();
    const samplesBefore = Number(await page.$eval('#throughput-chart', (s) => s.getAttribute('data-samples')));
    await new Promise((r) => setTimeout(r, 3_000));
    const after = await workerLine();
    const samplesAfter = Number(await page.$eval('#throughput-chart', (s) => s.getAttribute('data-samples')));
    expect(samplesAfter).toBeGreaterThanOrEqual(samplesBefore + 2);
    expect(after).not.toBe(before);
    const lastRate = Number(/ ([\d.,]+)$/.exec((await page.$eval('#throughput-legend', (l) => l.textContent ?? '')).split('\u00a0')[0]!.trim())?.[1]?.replace(/,/g, '') ?? '0');
    expect(lastRate).toBeGreaterThan(0);

    await until(async () => (await page.$$('#dead-letters tr.dead-letter')).length === 5, 'five dead letters', 30_000, 200);
    const deadLetters = await page.$$eval('#dead-letters tr.dead-letter', (rows) => rows.map((r) => r.textContent ?? ''));
    for (const d of deadLetters) expect(d).toMatch(/Error: poison line: poison \d/);
    expect(await page.$$eval('#tasks tbody tr', (rows) => rows.map((r) => r.getAttribute('data-task')))).toEqual(['0_0', '1_0']);
    expect(await page.$eval('#state', (s) => s.textContent)).toBe('RUNNING');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/console.png`, fullPage: true });
    await page.close();
  });
});
