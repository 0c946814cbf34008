/**
 * A broker of its own for the SASL / TLS tests: one KRaft node with a listener per security setup,
 * and a small PKI made with `openssl` (a CA, the broker's certificate for 127.0.0.1, a client
 * certificate, and a second CA the broker's certificate does not chain to).
 *
 * | listener | protocol | port | what it accepts |
 * | --- | --- | --- | --- |
 * | PLAINTEXT | PLAINTEXT | port | anything (readiness probe, inter-broker) |
 * | CONTROLLER | PLAINTEXT | port + 1 | the KRaft controller |
 * | SASL_PLAINTEXT | SASL_PLAINTEXT | port + 2 | PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 |
 * | SSL | SSL | port + 3 | TLS, no client certificate |
 * | MTLS | SSL | port + 4 | TLS with a client certificate signed by the CA (required) |
 * | SASL_SSL | SASL_SSL | port + 5 | SCRAM-SHA-256, SCRAM-SHA-512 over TLS |
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalKafka, stopLocalKafka, type ScramCredential } from '../../src/kafka-local/broker.js';

export const HOST = '127.0.0.1';

/** PEM files, all in one directory. */
export interface TestPki {
  /** The CA that signed the broker's and the client's certificates. */
  ca: string;
  /** The broker's key + certificate chain (PKCS#8, unencrypted), for `ssl.keystore.type=PEM`. */
  serverKeystore: string;
  clientCert: string;
  clientKey: string;
  /** The client key encrypted with {@link TestPki.clientKeyPassword}. */
  clientKeyEncrypted: string;
  clientKeyPassword: string;
  /** A CA unrelated to the broker's certificate. */
  otherCa: string;
}

function openssl(dir: string, args: string[]): void {
  try {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('the SASL/TLS tests need openssl on PATH to make their certificates');
    throw new Error(`openssl ${args[0]} failed: ${String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim()}`);
  }
}

/** A fresh PKI in `dir` (EC P-256 keys, valid for a day). */
export function makeTestPki(dir: string): TestPki {
  mkdirSync(dir, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const selfSignedCa = (name: string, cn: string) =>
    openssl(dir, ['req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '1', '-subj', `/CN=${cn}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const signed = (name: string, cn: string, extensions: string) => {
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl(dir, ['req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1',
      '-out', `${name}.crt`, '-extfile', `${name}.ext`]);
  };
  selfSignedCa('ca', 'kstream test CA');
  selfSignedCa('other-ca', 'kstream unrelated CA');
  signed('server', HOST, `subjectAltName=IP:${HOST},DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n`);
  signed('client', 'kstream-test-client', 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n');
  const clientKeyPassword = 'client-key-secret';
  openssl(dir, ['pkcs8', '-topk8', '-in', 'client.key', '-out', 'client-encrypted.key', '-v2', 'aes-256-cbc', '-passout', `pass:${clientKeyPassword}`]);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  writeFileSync(join(dir, 'server-keystore.pem'), read('server.key') + read('server.crt') + read('ca.pem'));
  return {
    ca: join(dir, 'ca.pem'),
    serverKeystore: join(dir, 'server-keystore.pem'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
    clientKeyEncrypted: join(dir, 'client-encrypted.key'),
    clientKeyPassword,
    otherCa: join(dir, 'other-ca.pem'),
  };
}

export interface SecureKafkaOptions {
  /** PLAINTEXT port; the other listeners take the next five. */
  port: number;
  dataDir: string;
  version: string;
  pki: TestPki;
  /** Users of SASL/PLAIN (name → password). */
  plainUsers: Record<string, string>;
  /** Users of both SCRAM mechanisms (name → password), created when the storage is formatted. */
  scramUsers: Record<string, string>;
}

/** `host:port` of each listener. */
export interface SecureKafka {
  plaintext: string;
  saslPlaintext: string;
  ssl: string;
  mtls: string;
  saslSsl: string;
  stop(): Promise<void>;
}

export async function startSecureKafka(opts: SecureKafkaOptions): Promise<SecureKafka> {
  const { port, pki } = opts;
  const ports = { PLAINTEXT: port, CONTROLLER: port + 1, SASL_PLAINTEXT: port + 2, SSL: port + 3, MTLS: port + 4, SASL_SSL: port + 5 };
  const protocols = { PLAINTEXT: 'PLAINTEXT', CONTROLLER: 'PLAINTEXT', SASL_PLAINTEXT: 'SASL_PLAINTEXT', SSL: 'SSL', MTLS: 'SSL', SASL_SSL: 'SASL_SSL' };
  const names = Object.keys(ports) as Array<keyof typeof ports>;
  const address = (name: keyof typeof ports) => `${HOST}:${ports[name]}`;
  const scram = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  const plainUsers = Object.entries(opts.plainUsers)
    .map(([user, password]) => ` user_${user}="${password}"`)
    .join('');
  const scramCredentials: ScramCredential[] = Object.entries(opts.scramUsers).flatMap(([username, password]) =>
    (['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const).map((mechanism) => ({ mechanism, username, password })),
  );
  await startLocalKafka({
    port,
    controllerPort: ports.CONTROLLER,
    dataDir: opts.dataDir,
    version: opts.version,
    log: () => undefined,
    scramCredentials,
    config: {
      listeners: names.map((n) => `${n}://${address(n)}`).join(','),
      'advertised.listeners': names.filter((n) => n !== 'CONTROLLER').map((n) => `${n}://${address(n)}`).join(','),
      'listener.security.protocol.map': names.map((n) => `${n}:${protocols[n]}`).join(','),
      'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
      'listener.name.sasl_plaintext.sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required${plainUsers};`,
      'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config': scram,
      'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config': scram,
      'listener.name.sasl_ssl.sasl.enabled.mechanisms': 'SCRAM-SHA-256,SCRAM-SHA-512',
      'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config': scram,
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': scram,
      // TLS listeners: the broker's key and chain as a PEM keystore
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': pki.serverKeystore,
      'ssl.client.auth': 'none',
      'listener.name.mtls.ssl.client.auth': 'required',
      'listener.name.mtls.ssl.truststore.type': 'PEM',
      'listener.name.mtls.ssl.truststore.location': pki.ca,
    },
  });
  return {
    plaintext: address('PLAINTEXT'),
    saslPlaintext: address('SASL_PLAINTEXT'),
    ssl: address('SSL'),
    mtls: address('MTLS'),
    saslSsl: address('SASL_SSL'),
    stop: async () => {
      await stopLocalKafka({ dataDir: opts.dataDir, timeoutMs: 20_000, log: () => undefined });
    },
  };
}
