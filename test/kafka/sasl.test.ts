/**
 * SASL and TLS end to end: a broker of its own (./security-broker.ts) with a listener per security
 * setup and a CA made with openssl. For each of SASL/PLAIN, SASL/SCRAM-SHA-256, SSL, mutual TLS
 * and SASL_SSL with SCRAM-SHA-512, the CLI creates the input topic, produces lines, runs wordcount
 * to the end of its input and reads the counts back, with the settings given as flags, in a
 * properties file (`run --config`, `--command-config`) or both. Wrong credentials and a broker
 * certificate that is not trusted end in one line on stderr and exit code 1, in bounded time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaVersion, uniqueId } from './helpers.js';
import { CLI, WORDCOUNT_APP, requireBuild } from './processes.js';
import { makeTestPki, startSecureKafka, type SecureKafka, type TestPki } from './security-broker.js';

// the broker's listeners take PORT .. PORT + 5
const PORT = Number(process.env.KSTREAM_TEST_KAFKA_PORT ?? 29092) + 200;
/** The shortest a failing connection may take: kstream.connect.timeout.ms (10 s) and some. */
const FAIL_WITHIN_MS = 20_000;

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `kstream <args>` with `input` on stdin; killed after 90 s. */
function cli(args: string[], input?: string, env: Record<string, string> = {}): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
    child.stdin.end(input ?? '');
  });
}

/** stderr is one `kstream: error: ...` line matching `re`, no stack trace, exit code 1, in bounded time. */
function expectOneLineError(r: CliResult, re: RegExp, withinMs = FAIL_WITHIN_MS): void {
  expect(r.stderr, r.stderr).toMatch(/^kstream: error: [^\n]*\n$/);
  expect(r.stderr).toMatch(re);
  expect(r.code).toBe(1);
  expect(r.ms).toBeLessThan(withinMs);
}

interface Connection {
  /** Flags for `topics create` and `produce` (and `run` unless runWithConfig). */
  flags: string[];
  /** Environment of every command (e.g. KSTREAM_SASL_PASSWORD). */
  env?: Record<string, string>;
  /** A properties file for `consume --command-config` (and `run --config` when runWithConfig). */
  properties: Record<string, string>;
  runWithConfig?: boolean;
}

describe.skipIf(kafkaVersion() === 'external')(`SASL and TLS (Kafka ${kafkaVersion()})`, () => {
  let dir: string | undefined;
  let pki: TestPki;
  let kafka: SecureKafka | undefined;

  beforeAll(async () => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'kstream-security-'));
    pki = makeTestPki(join(dir, 'pki'));
    kafka = await startSecureKafka({
      port: PORT,
      dataDir: join(dir, 'broker'),
      version: kafkaVersion(),
      pki,
      plainUsers: { admin: 'admin-secret', alice: 'alice-secret' },
      scramUsers: { bob: 'bob-secret', carol: 'carol-secret' },
    });
  }, 180_000);

  afterAll(async () => {
    await kafka?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  /** topics create, produce, run wordcount --until-idle, consume: the last count of each word. */
  async function wordcount(name: string, conn: Connection, lines: string): Promise<Record<string, string>> {
    const app = uniqueId(name);
    const input = `${app}-input`;
    const output = `${app}-output`;
    const env = conn.env ?? {};
    const created = await cli(['topics', 'create', input, '--partitions', '2', ...conn.flags], undefined, env);
    expect(created.stdout, created.stderr).toBe(`Created topic ${input}.\n`);
    const produced = await cli(['produce', input, ...conn.flags], lines, env);
    expect(produced.stderr).toContain(`wrote ${lines.trim().split('\n').length} records to ${input}`);

    const props = join(dir!, `${app}.properties`);
    writeFileSync(props, Object.entries(conn.properties).map(([k, v]) => `${k}=${v}\n`).join(''));
    const run = await cli(
      ['run', WORDCOUNT_APP, '--until-idle', '--state-dir', join(dir!, app), ...(conn.runWithConfig ? ['--config', props] : conn.flags)],
      undefined,
      { ...env, KSTREAM_TEST_APP_ID: app, KSTREAM_TEST_INPUT: input, KSTREAM_TEST_OUTPUT: output },
    );
    expect(run.code, run.stderr).toBe(0);
    const out = await cli(['consume', output, '--from-beginning', '--print-key', '--value-format', 'long', '--timeout-ms', '500', '--command-config', props]);
    expect(out.code, out.stderr).toBe(0);
    return Object.fromEntries(out.stdout.trim().split('\n').map((l) => l.split('\t') as [string, string]));
  }

  const sasl = (protocol: string, mechanism: string, user: string) => ['--security-protocol', protocol, '--sasl-mechanism', mechanism, '--sasl-username', user];

  describe('SASL_PLAINTEXT', () => {
    it('PLAIN: flags and KSTREAM_SASL_PASSWORD, run --config and consume --command-config', async () => {
      const counts = await wordcount(
        'plain',
        {
          flags: ['--brokers', kafka!.saslPlaintext, ...sasl('SASL_PLAINTEXT', 'PLAIN', 'alice')],
          env: { KSTREAM_SASL_PASSWORD: 'alice-secret' },
          properties: { 'bootstrap.servers': kafka!.saslPlaintext, 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN', 'sasl.username': 'alice', 'sasl.password': 'alice-secret' },
          runWithConfig: true,
        },
        'hello kafka\nhello sasl\n',
      );
      expect(counts).toEqual({ hello: '2', kafka: '1', sasl: '1' });
    }, 120_000);

    it('SCRAM-SHA-256: flags for every command, the credentials in a JAAS line for consume', async () => {
      const counts = await wordcount(
        'scram256',
        {
          flags: ['--brokers', kafka!.saslPlaintext, ...sasl('SASL_PLAINTEXT', 'SCRAM-SHA-256', 'bob'), '--sasl-password', 'bob-secret'],
          properties: {
            'bootstrap.servers': kafka!.saslPlaintext,
            'security.protocol': 'SASL_PLAINTEXT',
            'sasl.mechanism': 'SCRAM-SHA-256',
            'sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="bob" password="bob-secret";',
          },
        },
        'scram salts\nscram hashes\nscram\n',
      );
      expect(counts).toEqual({ scram: '3', salts: '1', hashes: '1' });
    }, 120_000);

    it.concurrent('a wrong PLAIN password is a one-line error', async () => {
      const r = await cli(['topics', 'list', '--brokers', kafka!.saslPlaintext, ...sasl('SASL_PLAINTEXT', 'PLAIN', 'alice'), '--sasl-password', 'wrong']);
      expectOneLineError(r, /^kstream: error: cannot connect to Kafka at 127\.0\.0\.1:\d+: .*(SASL|[Aa]uthentication)/);
    }, 60_000);

    it.concurrent('a wrong SCRAM-SHA-256 password is a one-line error', async () => {
      const r = await cli(['topics', 'list', '--brokers', kafka!.saslPlaintext, ...sasl('SASL_PLAINTEXT', 'SCRAM-SHA-256', 'bob')], undefined, {
        KSTREAM_SASL_PASSWORD: 'not-bob-secret',
      });
      expectOneLineError(r, /^kstream: error: cannot connect to Kafka at 127\.0\.0\.1:\d+: SASL SCRAM SHA256 authentication failed: .*invalid credentials/);
    }, 60_000);

    it.concurrent('a SCRAM user the broker does not know is a one-line error', async () => {
      const r = await cli(['produce', 'any', '--brokers', kafka!.saslPlaintext, ...sasl('SASL_PLAINTEXT', 'SCRAM-SHA-512', 'mallory'), '--sasl-password', 'x'], 'a\n');
      expectOneLineError(r, /^kstream: error: cannot connect to Kafka at 127\.0\.0\.1:\d+: SASL SCRAM SHA512 authentication failed/);
    }, 60_000);
  });

  describe('TLS', () => {
    it('SSL: the CA by --ssl-ca, and by ssl.ca.location in run --config and consume --command-config', async () => {
      const counts = await wordcount(
        'ssl',
        {
          flags: ['--brokers', kafka!.ssl, '--security-protocol', 'SSL', '--ssl-ca', pki.ca],
          properties: { 'bootstrap.servers': kafka!.ssl, 'security.protocol': 'SSL', 'ssl.ca.location': pki.ca },
          runWithConfig: true,
        },
        'tls over tcp\ntls\n',
      );
      expect(counts).toEqual({ tls: '2', over: '1', tcp: '1' });
    }, 120_000);

    it('mutual TLS: --ssl-cert/--ssl-key, and an encrypted key with ssl.key.password in a properties file', async () => {
      const counts = await wordcount(
        'mtls',
        {
          flags: ['--brokers', kafka!.mtls, '--security-protocol', 'SSL', '--ssl-ca', pki.ca, '--ssl-cert', pki.clientCert, '--ssl-key', pki.clientKey],
          properties: {
            'bootstrap.servers': kafka!.mtls,
            'security.protocol': 'SSL',
            'ssl.ca.location': pki.ca,
            'ssl.certificate.location': pki.clientCert,
            'ssl.key.location': pki.clientKeyEncrypted,
            'ssl.key.password': pki.clientKeyPassword,
          },
        },
        'mutual trust\nmutual\n',
      );
      expect(counts).toEqual({ mutual: '2', trust: '1' });
    }, 120_000);

    it('SASL_SSL with SCRAM-SHA-512: flags, and a properties file for run and consume', async () => {
      const counts = await wordcount(
        'saslssl',
        {
          flags: ['--brokers', kafka!.saslSsl, ...sasl('SASL_SSL', 'SCRAM-SHA-512', 'carol'), '--ssl-ca', pki.ca],
          env: { KSTREAM_SASL_PASSWORD: 'carol-secret' },
          properties: {
            'bootstrap.servers': kafka!.saslSsl,
            'security.protocol': 'SASL_SSL',
            'sasl.mechanism': 'SCRAM-SHA-512',
            'sasl.username': 'carol',
            'sasl.password': 'carol-secret',
            'ssl.ca.location': pki.ca,
          },
          runWithConfig: true,
        },
        'secret words\nsecret\nsecret\n',
      );
      expect(counts).toEqual({ secret: '3', words: '1' });
    }, 120_000);

    it.concurrent('a broker certificate from a CA that is not trusted is a one-line error (Node’s CAs)', async () => {
      const r = await cli(['topics', 'list', '--brokers', kafka!.ssl, '--security-protocol', 'SSL']);
      expectOneLineError(r, /^kstream: error: cannot connect to Kafka at 127\.0\.0\.1:\d+( \(tried for \d+ s\))?: .*self-signed certificate in certificate chain/);
    }, 60_000);

    it.concurrent('a broker certificate from a CA that is not trusted is a one-line error (another CA)', async () => {
      const r = await cli(['topics', 'list', '--brokers', kafka!.saslSsl, ...sasl('SASL_SSL', 'SCRAM-SHA-512', 'carol'), '--ssl-ca', pki.otherCa], undefined, {
        KSTREAM_SASL_PASSWORD: 'carol-secret',
      });
      expectOneLineError(r, /^kstream: error: cannot connect to Kafka at 127\.0\.0\.1:\d+( \(tried for \d+ s\))?: .*certificate/);
    }, 60_000);

    it.concurrent('a wrong SCRAM-SHA-512 password over SASL_SSL is a one-line error', async () => {
      const r = await cli(['topics', 'list', '--brokers', kafka!.saslSsl, ...sasl('SASL_SSL', 'SCRAM-SHA-512', 'carol'), '--ssl-ca', pki.ca, '--sasl-password', 'wrong']);
      expectOneLineError(r, /^kstream: error: cannot connect to Kafka at 127\.0\.0\.1:\d+: SASL SCRAM SHA512 authentication failed: .*invalid credentials/);
    }, 60_000);

    it.concurrent('no client certificate where the broker requires one is a one-line error', async () => {
      const r = await cli(['topics', 'list', '--brokers', kafka!.mtls, '--security-protocol', 'SSL', '--ssl-ca', pki.ca]);
      expectOneLineError(r, /^kstream: error: cannot connect to Kafka at 127\.0\.0\.1:\d+( \(tried for \d+ s\))?: .*(certificate|alert|[Cc]losed)/);
    }, 60_000);

    it.concurrent('a wrong key password fails before connecting, in one line', async () => {
      const props = join(dir!, 'wrong-key-password.properties');
      writeFileSync(
        props,
        `bootstrap.servers=${kafka!.mtls}\nsecurity.protocol=SSL\nssl.ca.location=${pki.ca}\nssl.certificate.location=${pki.clientCert}\n` +
          `ssl.key.location=${pki.clientKeyEncrypted}\nssl.key.password=wrong\n`,
      );
      const r = await cli(['topics', 'list', '--command-config', props]);
      expectOneLineError(r, /^kstream: error: ssl\.key\.location: cannot decrypt .*: wrong or missing ssl\.key\.password\n$/, 5000);
    }, 60_000);
  });
});
