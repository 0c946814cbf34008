import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from 'kstream';
import { startWordcountService, type WordcountService } from '../../examples/wordcount-service/service.js';
import { latest, produce, readAll, tempDir } from '../helpers/embedded.js';
import { Serdes } from 'kstream';

async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.json() };
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('examples/wordcount-service on the embedded log', () => {
  let dir: string;
  let cleanup: () => void;
  let service: WordcountService | null = null;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(async () => {
    await service?.close();
    service = null;
    cleanup();
  });

  it('answers every word from its store, equal to the last count on the output topic', async () => {
    const texts = ['all streams lead to kafka', 'hello kafka streams', 'join kafka summit', 'hello again'];
    await produce(dir, 'streams-plaintext-input', texts.map((value) => ({ key: null, value })), 2);
    service = await startWordcountService({ port: 0, config: { 'application.id': 'wcs', 'data.dir': dir, 'commit.interval.ms': 50, logger: silentLogger } });
    const url = service.url;
    let out = new Map<string | null, number | null>();
    await until(async () => {
      out = latest(await readAll(dir, 'streams-wordcount-output', Serdes.String(), Serdes.Long()));
      return out.size === 9 && out.get('kafka') === 3 && out.get('hello') === 2;
    }, 'all counts on the output topic');
    for (const [word, count] of out) expect((await getJson(`${url}/counts/${word}`)).body).toEqual({ word, count, host: url.slice('http://'.length) });
    expect((await getJson(`${url}/counts`)).body).toEqual(Object.fromEntries(out));
    const missing = await getJson(`${url}/counts/nothing`);
    expect(missing).toEqual({ status: 404, body: { error: "no count for 'nothing'" } });
    expect((await getJson(`${url}/elsewhere`)).status).toBe(404);
  });
});
