/**
 * SASL/PLAIN: a broker of its own with a SASL_PLAINTEXT listener next to the plaintext one; the
 * CLI reaches it with --security-protocol / --sasl-* flags and with a properties file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalKafka, stopLocalKafka } from '../../src/kafka-local/broker.js';
import { kafkaVersion, uniqueId } from './helpers.js';
import { CLI, WORDCOUNT_APP, requireBuild } from './processes.js';

const PORT = Number(process.env.KSTREAM_TEST_KAFKA_PORT ?? 39092) + 200;
const SASL_PORT = PORT + 2;
const HOST = '127.0.0.1';

function cli(args: string[], input?: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(kafkaVersion() === 'external')(`SASL/PLAIN (Kafka ${kafkaVersion()})`, () => {
  let dir: string;
  let brokerDir: string;
  const sasl = `${HOST}:${SASL_PORT}`;
  beforeAll(async () => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'kstream-sasl-'));
    brokerDir = join(dir, 'broker');
    await startLocalKafka({
      port: PORT,
      dataDir: brokerDir,
      version: kafkaVersion(),
      log: () => undefined,
      config: {
        listeners: `PLAINTEXT://${HOST}:${PORT},SASL_PLAINTEXT://${HOST}:${SASL_PORT},CONTROLLER://${HOST}:${PORT + 1}`,
        'advertised.listeners': `PLAINTEXT://${HOST}:${PORT},SASL_PLAINTEXT://${HOST}:${SASL_PORT}`,
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
        'sasl.enabled.mechanisms': 'PLAIN',
        'listener.name.sasl_plaintext.sasl.enabled.mechanisms': 'PLAIN',
        'listener.name.sasl_plaintext.plain.sasl.jaas.config':
          'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";',
      },
    });
  }, 180_000);
  afterAll(async () => {
    await stopLocalKafka({ dataDir: brokerDir, timeoutMs: 20_000, log: () => undefined });
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('topics, produce, run --until-idle and consume over SASL_PLAINTEXT (flags and a properties file)', () => {
    const app = uniqueId('sasl');
    const input = `${app}-input`;
    const output = `${app}-output`;
    const flags = ['--brokers', sasl, '--security-protocol', 'SASL_PLAINTEXT', '--sasl-mechanism', 'PLAIN', '--sasl-username', 'alice'];
    const env = { KSTREAM_SASL_PASSWORD: 'alice-secret' };
    expect(cli(['topics', 'create', input, '--partitions', '2', ...flags], undefined, env).stdout).toBe(`Created topic ${input}.\n`);
    expect(cli(['produce', input, ...flags], 'hello kafka\nhello sasl\n', env).stderr).toContain(`wrote 2 records to ${input}`);

    const props = join(dir, 'client.properties');
    writeFileSync(props, `bootstrap.servers=${sasl}\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.username=alice\nsasl.password=alice-secret\n`);
    const run = cli(['run', WORDCOUNT_APP, '--until-idle', '--config', props, '--state-dir', join(dir, app)], undefined, {
      KSTREAM_TEST_APP_ID: app,
      KSTREAM_TEST_INPUT: input,
      KSTREAM_TEST_OUTPUT: output,
    });
    expect(run.code, run.stderr).toBe(0);
    const out = cli(['consume', output, '--from-beginning', '--print-key', '--value-format', 'long', '--timeout-ms', '500', '--command-config', props]);
    const last = new Map(out.stdout.trim().split('\n').map((l) => l.split('\t') as [string, string]));
    expect(Object.fromEntries(last)).toEqual({ hello: '2', kafka: '1', sasl: '1' });
  }, 120_000);

  it('a wrong password is a one-line error', () => {
    const r = cli(['topics', 'list', '--brokers', sasl, '--security-protocol', 'SASL_PLAINTEXT', '--sasl-mechanism', 'PLAIN', '--sasl-username', 'alice', '--sasl-password', 'wrong']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^kstream: error: cannot connect to Kafka at 127\.0\.0\.1:\d+: .*(SASL|[Aa]uthentication).*\n$/);
  }, 60_000);
});
