/**
 * Interactive queries on the real broker: two workers of the wordcount service (each its own
 * state dir and application.server) share the tasks through the group; every word is answered
 * correctly from either worker and equals the last count kcat reads (read_committed).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryableStoreTypes, Serdes, StoreQueryParameters, silentLogger } from 'kstream';
import { startWordcountService, type WordcountService } from '../../examples/wordcount-service/service.js';
import { kafkaBrokers, kafkaVersion, uniqueId } from './helpers.js';
import { expectedWordCounts, lastCounts, produceLines, waitUntil } from './processes.js';

async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  return { status: res.status, body: await res.json() };
}


describe(`interactive queries on Kafka ${kafkaVersion()}`, () => {
  let dir: string;
  const services: WordcountService[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kstream-iq-'));
  });
  afterEach(async () => {
    await Promise.all(services.splice(0).map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('two workers: every word answered from either one equals the sink; metadata names each owner', async () => {
    const app = uniqueId('iq');
    const input = `${app}-input`;
    const output = `${app}-output`;
    const texts = await produceLines(kafkaBrokers().join(','), input, 1000, 4);
    const expected = expectedWordCounts(texts);
    const { default: wordcount } = await import('../kafka/fixtures/wordcount-app.js');
    process.env.KSTREAM_TEST_INPUT = input;
    process.env.KSTREAM_TEST_OUTPUT = output;
    const topology = () => wordcount();
    for (const name of ['a', 'b']) {
      services.push(
        await startWordcountService({
          port: 0,
          topology: topology(),
          config: {
            'application.id': app,
            'bootstrap.servers': kafkaBrokers().join(','),
            'state.dir': join(dir, name),
            'commit.interval.ms': 100,
            'session.timeout.ms': 6000,
            'heartbeat.interval.ms': 500,
            logger: silentLogger,
          },
        }),
      );
    }
    delete process.env.KSTREAM_TEST_INPUT;
    delete process.env.KSTREAM_TEST_OUTPUT;
    const [a, b] = services as [WordcountService, WordcountService];
    // Both workers hold tasks and know each other.
    await waitUntil(
      'both workers in the metadata',
      () => {
        try {
          return a.streams.state() === 'RUNNING' && b.streams.state() === 'RUNNING' && a.streams.metadataForAllStreamsClients().length === 2 && b.streams.metadataForAllStreamsClients().length === 2;
        } catch {
          return false;
        }
      },
      90_000,
      100,
    );
    await waitUntil('the sink to hold every final count', async () => {
      const last = await lastCounts(output);
      return last.size === expected.size && [...expected].every(([w, n]) => last.get(w) === n);
    }, 120_000, 500);
    const sink = await lastCounts(output);

    const hosts = new Set<string>();
    const store = (s: WordcountService) => s.streams.store(StoreQueryParameters.fromNameAndType('counts-store', QueryableStoreTypes.keyValueStore<string, number>()));
    const owners = new Map<string, WordcountService>();
    for (const [word, count] of sink) {
      const ma = a.streams.queryMetadataForKey('counts-store', word, Serdes.String())!;
      const mb = b.streams.queryMetadataForKey('counts-store', word, Serdes.String())!;
      expect(ma.activeHost.toString()).toBe(mb.activeHost.toString());
      expect(ma.partition).toBe(mb.partition);
      const owner = `http://${ma.activeHost.toString()}` === a.url ? a : b;
      const other = owner === a ? b : a;
      owners.set(word, owner);
      hosts.add(owner.url);
      // The owner's own store has the word; the other worker's store does not.
      expect(store(owner).get(word)).toBe(count);
      expect(store(other).get(word)).toBeNull();
    }
    // Both workers own words.
    expect(hosts.size).toBe(2);
    // Every word over HTTP from either worker (forwarded to its owner when needed), 32 at a time.
    const words = [...sink];
    for (let i = 0; i < words.length; i += 32) {
      await Promise.all(
        words.slice(i, i + 32).flatMap(([word, count]) =>
          [a, b].map(async (s) => {
            const r = await getJson(`${s.url}/counts/${encodeURIComponent(word)}`);
            expect(r, word).toEqual({ status: 200, body: { word, count, host: owners.get(word)!.url.slice('http://'.length) } });
          }),
        ),
      );
    }
    for (const s of [a, b]) expect((await getJson(`${s.url}/counts`)).body).toEqual(Object.fromEntries(sink));
  }, 300_000);
});
