import { afterEach, describe, expect, it } from 'vitest';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { KafkaStreams, silentLogger } from 'kstream';
import { loadSql } from '../../src/cli/sql-loader.js';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import type { QueryListener } from '../../src/server/listener.js';
import { prepareServing } from '../../src/server/serve.js';
import type { ClusterStatus } from '../../src/server/observe/cluster-status.js';
import type { ConsoleStatus } from '../../src/server/observe/status.js';
import { produce, tempDir } from '../helpers/embedded.js';
import { freePort, httpGet, until } from './observe-helpers.js';

describe('the console of a SQL application', () => {
  let cleanup: (() => void) | null = null;
  let streams: KafkaStreams | null = null;
  let listener: QueryListener | null = null;
  let log: EmbeddedLog | null = null;
  afterEach(async () => {
    await listener?.close();
    await streams?.close().catch(() => undefined);
    await log?.close();
    listener = streams = log = null;
    cleanup?.();
  });

  it('lists each persistent query with its statement, the tasks and the picture of its topology', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const file = join(t.dir, 'wordcount.sql');
    copyFileSync('examples/wordcount/wordcount.sql', file);
    await produce(t.dir, 'streams-plaintext-input', [{ key: null, value: 'hello kafka streams' }]);
    const url = `http://127.0.0.1:${await freePort()}`;
    const loaded = await loadSql(file, {});
    const config = { ...loaded.config, 'data.dir': t.dir, logger: silentLogger };
    log = EmbeddedLog.open(t.dir);
    await loaded.prepare(log, config);
    const serving = prepareServing(url, loaded.topology!, loaded.sql);
    streams = new KafkaStreams(serving.topology, config, { log });
    await streams.start();
    listener = await serving.start(streams, log, streams.config.applicationId, silentLogger);

    let status: ConsoleStatus | null = null;
    await until(async () => {
      status = JSON.parse((await httpGet(`${url}/console/status.json`)).text) as ConsoleStatus;
      return status.state === 'RUNNING' && status.worker.processTotal > 0 && status.worker.lag === 0;
    }, 'the query running');
    const s = status!;
    expect(s.queries.map((q) => q.id)).toEqual(['CSAS_WORDS_0', 'CTAS_WORD_COUNTS_1']);
    expect(s.queries[0]!.sql).toMatch(/^CREATE STREAM WORDS WITH \(KAFKA_TOPIC='streams-wordcount-sql-words'/);
    expect(s.queries[1]!.sql).toContain('SELECT WORD, COUNT(*) AS COUNT FROM WORDS');
    expect(s.tasks.length).toBeGreaterThan(0);
    for (const task of s.tasks) expect(task).toMatchObject({ phase: 'RUNNING', restoreProgress: 1, restoreRemaining: 0 });
    expect(s.deadLetters).toEqual([]);

    const svg = await httpGet(`${url}/console/topology.svg`);
    expect(svg.status).toBe(200);
    expect(svg.text).toBe(serving.topology.describe().toSvg());
    const page = await httpGet(`${url}/console`);
    expect(page.text).toContain('<script src="/console/app.js"></script>');
    expect((await httpGet(`${url}/console/app.js`)).text).toContain("fetch('/console/cluster.json'");
    // One instance (no application.server): the cluster view is this worker, and the total is its numbers.
    const cluster = JSON.parse((await httpGet(`${url}/console/cluster.json`)).text) as ClusterStatus;
    expect(cluster.workers).toHaveLength(1);
    expect(cluster.workers[0]).toMatchObject({ self: true, host: cluster.worker.threadId, state: 'RUNNING', processTotal: cluster.worker.processTotal });
    expect(cluster.workers[0]!.tasks.map((t) => t.id)).toEqual(cluster.tasks.map((t) => t.id));
    expect(cluster.total.processTotal).toBe(cluster.worker.processTotal);
    // Not an operating path: the query API answers as before.
    expect((await httpGet(`${url}/nope`)).status).toBe(404);
  });
});
