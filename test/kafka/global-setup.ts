/**
 * vitest globalSetup: one real Kafka broker for the whole run.
 *
 * - port: `$KSTREAM_TEST_KAFKA_PORT` (default 29092; the KRaft controller uses port + 1). Test brokers
 *   listen below 32768, outside Linux's ephemeral port range: a port in it can be taken at any
 *   moment as the local port of some outgoing connection (a security-test broker once failed to bind).
 * - version: `$KSTREAM_TEST_KAFKA_VERSION` (default: the kstream default, 3.9.x)
 * - `$KSTREAM_TEST_KAFKA_BROKERS=host:port[,...]` uses that broker instead and starts nothing
 * - kcat (for the interop tests) is installed with apt-get when missing and the run is root; otherwise
 *   setup fails with what to install (test/helpers/system-tools.ts)
 *
 * Tests read the address with `inject('kafkaBrokers')` (or `kafkaBrokers()` from ./helpers). The broker's data
 * dir is a fresh temp dir, removed at teardown. If the broker cannot start, setup throws and the run fails.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalKafka, statusLocalKafka, stopLocalKafka } from '../../src/kafka-local/broker.js';
import { DEFAULT_KAFKA_VERSION } from '../../src/kafka-local/jars.js';
import { ensureCommand } from '../helpers/system-tools.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Bootstrap servers of the test broker, comma separated (e.g. `127.0.0.1:29092`). */
    kafkaBrokers: string;
    /** Kafka version of the test broker, or 'external'. */
    kafkaVersion: string;
  }
}

const OWNER_FILE = 'kstream-test-owner.json';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Brokers left by test runs that were killed before their teardown: stop them and delete their data. */
async function reapOrphans(port: number): Promise<void> {
  const prefix = `kstream-test-kafka-${port}-`;
  for (const name of await readdir(tmpdir())) {
    if (!name.startsWith(prefix)) continue;
    const dir = join(tmpdir(), name);
    let owner = 0;
    try {
      owner = (JSON.parse(await readFile(join(dir, OWNER_FILE), 'utf8')) as { pid: number }).pid;
    } catch {
      /* no owner file: treat as orphaned */
    }
    if (owner && owner !== process.pid && alive(owner)) continue; // another test run is using it
    const st = await statusLocalKafka({ dataDir: dir });
    if (st.running) process.stderr.write(`kstream: stopping Kafka (pid ${st.pid}) left by an earlier test run in ${dir}\n`);
    await stopLocalKafka({ dataDir: dir, timeoutMs: 15_000, log: () => undefined });
    await rm(dir, { recursive: true, force: true });
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  // the interop tests read and write with kcat: install it (as root, with apt-get) on a machine without it
  ensureCommand('kcat', 'kcat');
  const external = process.env.KSTREAM_TEST_KAFKA_BROKERS?.trim();
  if (external) {
    project.provide('kafkaBrokers', external);
    project.provide('kafkaVersion', 'external');
    process.env.KSTREAM_TEST_KAFKA_BOOTSTRAP = external;
    return undefined;
  }

  const port = Number(process.env.KSTREAM_TEST_KAFKA_PORT || 29092);
  const version = process.env.KSTREAM_TEST_KAFKA_VERSION || DEFAULT_KAFKA_VERSION;
  const timeoutMs = Number(process.env.KSTREAM_TEST_KAFKA_TIMEOUT_MS || 180_000);

  await reapOrphans(port);
  const dataDir = await mkdtemp(join(tmpdir(), `kstream-test-kafka-${port}-`));
  await writeFile(join(dataDir, OWNER_FILE), JSON.stringify({ pid: process.pid }) + '\n');

  let stopped = false;
  const teardown = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.off('exit', onExit);
    await stopLocalKafka({ dataDir, timeoutMs: 20_000, log: () => undefined });
    await rm(dataDir, { recursive: true, force: true });
  };
  // last resort when the run ends without teardown (e.g. an uncaught error): at least ask the broker to stop
  const onExit = (): void => {
    if (stopped) return;
    try {
      const pid = Number(readFileSync(join(dataDir, 'kafka.pid'), 'utf8').trim());
      if (pid) process.kill(pid, 'SIGTERM');
    } catch {
      /* nothing to stop */
    }
  };
  process.on('exit', onExit);

  let info;
  try {
    info = await startLocalKafka({ version, port, dataDir, timeoutMs });
  } catch (err) {
    await teardown().catch(() => undefined);
    throw new Error(`the Kafka broker for the tests did not start: ${(err as Error).message}`);
  }
  if (info.pid === undefined) {
    await teardown().catch(() => undefined);
    throw new Error(
      `a Kafka broker that the test setup did not start already answers at ${info.bootstrap}; ` +
        `set KSTREAM_TEST_KAFKA_BROKERS=${info.bootstrap} to test against it, or KSTREAM_TEST_KAFKA_PORT to use another port`,
    );
  }
  project.provide('kafkaBrokers', info.bootstrap);
  project.provide('kafkaVersion', version);
  process.env.KSTREAM_TEST_KAFKA_BOOTSTRAP = info.bootstrap;
  process.stderr.write(
    `kstream: test Kafka ${version} at ${info.bootstrap} (started in ${(info.startupMs / 1000).toFixed(1)}s` +
      `${info.downloadMs ? `, jars fetched in ${(info.downloadMs / 1000).toFixed(1)}s` : ''})\n`,
  );
  return teardown;
}
