import { KafkaStreams, silentLogger } from 'kstream';
import { loadSql } from '../../src/cli/sql-loader.js';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import type { QueryListener } from '../../src/server/listener.js';
import { prepareServing } from '../../src/server/serve.js';
import type { SqlSession } from '../../src/sql/session.js';
import { freePort } from './ports.js';

export interface ServedSqlApp {
  readonly url: string;
  readonly streams: KafkaStreams;
  readonly log: EmbeddedLog;
  readonly listener: QueryListener;
  readonly session: SqlSession;
  /** Closes the listener, the application and the log. */
  close(): Promise<void>;
}

/** Runs a SQL file on the embedded log in `dir` (commit every 50 ms) with its `--listeners` API on a free port. */
export async function serveSqlFile(dir: string, file: string, applicationId: string): Promise<ServedSqlApp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const loaded = await loadSql(file, {});
  const config = { ...loaded.config, 'data.dir': dir, 'commit.interval.ms': 50, 'application.server': `127.0.0.1:${port}`, logger: silentLogger };
  const log = EmbeddedLog.open(dir);
  await loaded.prepare(log, config);
  const serving = prepareServing(url, loaded.topology!, loaded.sql);
  const streams = new KafkaStreams(serving.topology, config, { log });
  await streams.start();
  const listener = await serving.start(streams, log, applicationId, silentLogger);
  return {
    url,
    streams,
    log,
    listener,
    session: loaded.sql!.session,
    async close() {
      await listener.close();
      await streams.close();
      await log.close();
    },
  };
}
