import { describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes, StreamsBuilder, Consumed, Produced, silentLogger } from 'kstream';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import { HealthCheckAgent } from '../../src/server/health-check.js';
import { QueryListener } from '../../src/server/listener.js';
import { freePort } from '../helpers/ports.js';
import { tempDir } from '../helpers/embedded.js';

describe('HealthCheckAgent (ksqlDB /healthcheck)', () => {
  it('is healthy only when every check passes; a throwing or hanging check fails', async () => {
    const agent = new HealthCheckAgent({ a: () => true, b: async () => true, c: () => false, d: () => Promise.reject(new Error('down')), e: () => new Promise<boolean>(() => undefined) }, 0, 100);
    const started = Date.now();
    expect(await agent.report()).toEqual({
      isHealthy: false,
      details: { a: { isHealthy: true }, b: { isHealthy: true }, c: { isHealthy: false }, d: { isHealthy: false }, e: { isHealthy: false } },
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await new HealthCheckAgent({ a: () => true, b: async () => true }).report()).toEqual({ isHealthy: true, details: { a: { isHealthy: true }, b: { isHealthy: true } } });
  });

  it('reuses an answer for the interval, and concurrent requests share one round of checks', async () => {
    let runs = 0;
    let healthy = true;
    const agent = new HealthCheckAgent({ x: async () => (runs++, healthy) }, 60_000);
    const [r1, r2] = await Promise.all([agent.report(), agent.report()]);
    expect([r1.isHealthy, r2.isHealthy, runs]).toEqual([true, true, 1]);
    healthy = false;
    expect((await agent.report()).isHealthy).toBe(true);
    expect(runs).toBe(1);
    const fresh = new HealthCheckAgent({ x: async () => (runs++, healthy) }, 0);
    expect((await fresh.report()).isHealthy).toBe(false);
    expect(runs).toBe(2);
  });
});

describe('GET /healthcheck of a running application (embedded log)', () => {
  it('reports the application (metastore) and the log answering for its topics (kafka), 503 when either fails', async () => {
    const { dir, cleanup } = tempDir();
    const log = EmbeddedLog.open(dir);
    await log.admin().createTopics([{ name: 'hc-in', partitions: 1 }]);
    const builder = new StreamsBuilder();
    builder.stream('hc-in', Consumed.with(Serdes.String(), Serdes.String())).to('hc-out', Produced.with(Serdes.String(), Serdes.String()));
    const streams = new KafkaStreams(builder.build(), { 'application.id': 'hc-app', 'data.dir': dir, logger: silentLogger }, { log });
    const listeners: QueryListener[] = [];
    try {
      await streams.start();
      const deadline = Date.now() + 30_000;
      while (streams.state() !== 'RUNNING') {
        if (Date.now() > deadline) throw new Error(`not running: ${streams.state()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const start = async (sourceTopics: string[]) => {
        const l = await QueryListener.start({ listener: `http://127.0.0.1:${await freePort()}`, streams, log, applicationId: 'hc-app', sourceTopics, healthcheckIntervalMs: 0, logger: silentLogger });
        listeners.push(l);
        return async () => {
          const res = await fetch(`http://${l.endpoint}/healthcheck`, { signal: AbortSignal.timeout(15_000) });
          return { status: res.status, body: (await res.json()) as unknown };
        };
      };
      const ok = await start(['hc-in']);
      expect(await ok()).toEqual({ status: 200, body: { isHealthy: true, details: { metastore: { isHealthy: true }, kafka: { isHealthy: true } } } });
      const missing = await start(['hc-in', 'hc-gone']);
      expect(await missing()).toEqual({ status: 503, body: { isHealthy: false, details: { metastore: { isHealthy: true }, kafka: { isHealthy: false } } } });
      await streams.close();
      expect(await ok()).toEqual({ status: 503, body: { isHealthy: false, details: { metastore: { isHealthy: false }, kafka: { isHealthy: true } } } });
    } finally {
      for (const l of listeners) await l.close();
      await streams.close();
      await log.close();
      cleanup();
    }
  });
});
