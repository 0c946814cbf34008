/**
 * Kafka client settings: from Kafka / librdkafka property names (as in a `.properties` or JSON
 * config file, or the CLI flags that map onto them) or kafkajs's own option names, to a kafkajs
 * `KafkaConfig` plus the tuning the backend reads itself.
 *
 * | setting | meaning |
 * | --- | --- |
 * | `bootstrap.servers` | `host:port[,host:port...]` |
 * | `security.protocol` | `PLAINTEXT` (default), `SSL`, `SASL_PLAINTEXT`, `SASL_SSL` |
 * | `sasl.mechanism` | `PLAIN`, `SCRAM-SHA-256`, `SCRAM-SHA-512` |
 * | `sasl.username`, `sasl.password` | SASL credentials (librdkafka names) |
 * | `sasl.jaas.config` | Java form: `... required username="u" password="p";` (credentials are taken from it) |
 * | `ssl.ca.location` | PEM file of the CA(s) to trust (default: Node's) |
 * | `ssl.certificate.location`, `ssl.key.location`, `ssl.key.password` | client certificate (mutual TLS), PEM |
 * | `ssl.endpoint.identification.algorithm` | `https` (default) or empty: do not check the broker's host name |
 * | `enable.ssl.certificate.verification` | `false` accepts any broker certificate (tests only) |
 * | `client.id` | client id (default `kstream`) |
 * | `socket.connection.setup.timeout.ms`, `request.timeout.ms` | connection / request timeouts |
 * | `kafkajs` | (JSON config) an object merged into kafkajs's `KafkaConfig`, e.g. `{"ssl": {...}, "sasl": {...}}` |
 * | `ssl`, `sasl` | (JSON config) kafkajs-style objects, used as they are |
 */
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { createSecureContext, type ConnectionOptions } from 'node:tls';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

export class KafkaConfigError extends Error {
  override readonly name = 'KafkaConfigError';
}

type Settings = Readonly<Record<string, unknown>>;

function str(settings: Settings, key: string): string | undefined {
  const v = settings[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new KafkaConfigError(`${key}: expected a string`);
}

function num(settings: Settings, key: string, fallback: number): number {
  const v = settings[key];
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw new KafkaConfigError(`${key}: expected a number >= 0, got '${String(v)}'`);
  return n;
}

function bool(settings: Settings, key: string, fallback: boolean): boolean {
  const v = settings[key];
  if (v === undefined || v === null || v === '') return fallback;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new KafkaConfigError(`${key}: expected true or false, got '${String(v)}'`);
}

function readPem(key: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new KafkaConfigError(`${key}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * Loads the CA, client certificate and key once, so that a wrong key password, a certificate that
 * does not belong to its key or a file that holds no PEM fails at once, in one line (at connect
 * time kafkajs would report it as a connection error, which is retried until the connect timeout).
 */
function checkTls(tls: ConnectionOptions, files: { ca?: string; cert?: string; key?: string }): void {
  if ((files.cert === undefined) !== (files.key === undefined)) {
    throw new KafkaConfigError('ssl.certificate.location and ssl.key.location go together (mutual TLS needs both)');
  }
  if (files.ca !== undefined) {
    try {
      new X509Certificate(String((tls.ca as string[])[0]));
    } catch {
      throw new KafkaConfigError(`ssl.ca.location: ${files.ca} holds no PEM certificate`);
    }
  }
  try {
    createSecureContext({ ca: tls.ca, cert: tls.cert, key: tls.key, passphrase: tls.passphrase });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (code === 'ERR_OSSL_BAD_DECRYPT') {
      throw new KafkaConfigError(`ssl.key.location: cannot decrypt ${files.key}: wrong or missing ssl.key.password`);
    }
    if (code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH') {
      throw new KafkaConfigError(`ssl.certificate.location ${files.cert} does not belong to ssl.key.location ${files.key}`);
    }
    const which = [files.cert, files.key].filter((f) => f !== undefined).join(', ');
    throw new KafkaConfigError(`TLS: cannot load ${which || 'the certificates'}: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** `host:port[,host:port]` → list; checks the form so a typo fails before any connection attempt. */
export function parseBrokers(list: string): string[] {
  const brokers = list
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  if (brokers.length === 0) throw new KafkaConfigError('no Kafka bootstrap servers given (--brokers host:port)');
  for (const b of brokers) {
    const m = /^(\[[0-9a-fA-F:]+\]|[^:\s/]+):(\d{1,5})$/.exec(b);
    if (m === null || Number(m[2]) < 1 || Number(m[2]) > 65535) {
      throw new KafkaConfigError(`invalid bootstrap server '${b}': expected host:port`);
    }
  }
  return brokers;
}

function jaasCredentials(jaas: string): { username?: string; password?: string } {
  const user = /username\s*=\s*"([^"]*)"/.exec(jaas)?.[1];
  const pass = /password\s*=\s*"([^"]*)"/.exec(jaas)?.[1];
  return { username: user, password: pass };
}

const PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];
const MECHANISMS: Record<string, 'plain' | 'scram-sha-256' | 'scram-sha-512'> = {
  PLAIN: 'plain',
  'SCRAM-SHA-256': 'scram-sha-256',
  'SCRAM-SHA-512': 'scram-sha-512',
};

/** The kafkajs client configuration for `brokers` and the given settings. */
export function kafkajsConfig(brokers: string, settings: Settings = {}): KafkaConfig {
  const config: KafkaConfig = {
    clientId: str(settings, 'client.id') ?? 'kstream',
    brokers: parseBrokers(brokers),
    connectionTimeout: num(settings, 'socket.connection.setup.timeout.ms', 3000),
    requestTimeout: num(settings, 'request.timeout.ms', 30_000),
    // kstream retries broker outages itself, with its own deadlines (task.timeout.ms): kafkajs's
    // own retries under them stay short.
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
  };

  const protocol = (str(settings, 'security.protocol') ?? 'PLAINTEXT').toUpperCase();
  if (!PROTOCOLS.includes(protocol)) {
    throw new KafkaConfigError(`security.protocol: expected one of ${PROTOCOLS.join(', ')}, got '${protocol}'`);
  }
  const useSsl = protocol === 'SSL' || protocol === 'SASL_SSL';
  const useSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';

  if (useSsl) {
    const tls: ConnectionOptions = {};
    const ca = str(settings, 'ssl.ca.location');
    if (ca) tls.ca = [readPem('ssl.ca.location', ca)];
    const cert = str(settings, 'ssl.certificate.location');
    if (cert) tls.cert = readPem('ssl.certificate.location', cert);
    const key = str(settings, 'ssl.key.location');
    if (key) tls.key = readPem('ssl.key.location', key);
    const keyPassword = str(settings, 'ssl.key.password');
    if (keyPassword) tls.passphrase = keyPassword;
    if (!bool(settings, 'enable.ssl.certificate.verification', true)) tls.rejectUnauthorized = false;
    if (str(settings, 'ssl.endpoint.identification.algorithm') === '') tls.checkServerIdentity = () => undefined;
    checkTls(tls, { ca: ca || undefined, cert: cert || undefined, key: key || undefined });
    config.ssl = Object.keys(tls).length === 0 ? true : tls;
  }

  if (useSasl) {
    const mechanismName = (str(settings, 'sasl.mechanism') ?? 'PLAIN').toUpperCase();
    const mechanism = MECHANISMS[mechanismName];
    if (mechanism === undefined) {
      throw new KafkaConfigError(`sasl.mechanism: expected one of ${Object.keys(MECHANISMS).join(', ')}, got '${mechanismName}'`);
    }
    const fromJaas = jaasCredentials(str(settings, 'sasl.jaas.config') ?? '');
    const username = str(settings, 'sasl.username') ?? fromJaas.username;
    const password = str(settings, 'sasl.password') ?? fromJaas.password;
    if (!username || password === undefined) {
      throw new KafkaConfigError(`security.protocol ${protocol} needs sasl.username and sasl.password (or --sasl-username/--sasl-password)`);
    }
    config.sasl = { mechanism, username, password } as SASLOptions;
  } else if (settings['sasl.mechanism'] !== undefined || settings['sasl.username'] !== undefined) {
    throw new KafkaConfigError(`SASL settings are given but security.protocol is ${protocol}; use SASL_PLAINTEXT or SASL_SSL`);
  }

  // kafkajs-style settings (a JSON config file) win over the property names above.
  if (typeof settings['ssl'] === 'boolean' || (typeof settings['ssl'] === 'object' && settings['ssl'] !== null)) {
    config.ssl = settings['ssl'] as KafkaConfig['ssl'];
  }
  if (typeof settings['sasl'] === 'object' && settings['sasl'] !== null) config.sasl = settings['sasl'] as SASLOptions;
  const extra = settings['kafkajs'];
  if (extra !== undefined) {
    if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) throw new KafkaConfigError('kafkajs: expected an object of kafkajs client options');
    Object.assign(config, extra);
  }
  return config;
}

/** Tuning of the backend's own consumer, producers and retries (Kafka / Kafka Streams names). */
export interface KafkaTuning {
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly fetchMaxWaitMs: number;
  readonly fetchMaxBytes: number;
  readonly partitionFetchMaxBytes: number;
  /** Records one poll() hands over at most (Kafka Streams' default: 1000); the rest waits as fetched bytes. */
  readonly maxPollRecords: number;
  /** How long broker outages are retried before a worker gives up (Kafka Streams' task.timeout.ms). */
  readonly taskTimeoutMs: number;
  readonly transactionTimeoutMs: number;
  /** exactly_once_v2's one producer per worker: a crashed worker's transaction blocks its partitions' next owners this long (Kafka Streams' 10 s). */
  readonly workerTransactionTimeoutMs: number;
  /** Replication factor of topics kstream creates (-1: the broker's default). */
  readonly replicationFactor: number;
  /** Upper bound of one produce request's records, in bytes (below the broker's message.max.bytes). */
  readonly produceRequestBytes: number;
  /** How long opening the log may try to reach the brokers. */
  readonly connectTimeoutMs: number;
  /** `cooperative` (KIP-429, default): only moving tasks stop; `eager`: every task is revoked before a rejoin. */
  readonly rebalanceProtocol: 'cooperative' | 'eager';
}

function rebalanceProtocol(settings: Settings): 'cooperative' | 'eager' {
  const v = settings['kstream.rebalance.protocol'];
  if (v === undefined || v === null || v === '' || v === 'cooperative') return 'cooperative';
  if (v === 'eager') return 'eager';
  throw new KafkaConfigError(`kstream.rebalance.protocol: expected 'cooperative' or 'eager', got '${String(v)}'`);
}

function replicationFactor(settings: Settings): number {
  const v = settings['replication.factor'];
  if (v === undefined || v === null || v === '') return -1;
  const n = Number(v);
  if (!Number.isInteger(n) || n === 0 || n < -1) throw new KafkaConfigError(`replication.factor: expected -1 or a number >= 1, got '${String(v)}'`);
  return n;
}

export function kafkaTuning(settings: Settings = {}): KafkaTuning {
  const session = num(settings, 'session.timeout.ms', 10_000);
  return {
    sessionTimeoutMs: session,
    heartbeatIntervalMs: num(settings, 'heartbeat.interval.ms', Math.min(1000, Math.floor(session / 3))),
    rebalanceTimeoutMs: num(settings, 'max.poll.interval.ms', 60_000),
    fetchMaxWaitMs: num(settings, 'fetch.max.wait.ms', 100),
    fetchMaxBytes: num(settings, 'fetch.max.bytes', 16 * 1024 * 1024),
    partitionFetchMaxBytes: num(settings, 'max.partition.fetch.bytes', 1024 * 1024),
    maxPollRecords: num(settings, 'max.poll.records', 1000),
    taskTimeoutMs: num(settings, 'task.timeout.ms', 300_000),
    transactionTimeoutMs: num(settings, 'transaction.timeout.ms', 60_000),
    workerTransactionTimeoutMs: num(settings, 'transaction.timeout.ms', 10_000),
    replicationFactor: replicationFactor(settings),
    produceRequestBytes: num(settings, 'kstream.produce.request.bytes', 512 * 1024),
    connectTimeoutMs: num(settings, 'kstream.connect.timeout.ms', 10_000),
    rebalanceProtocol: rebalanceProtocol(settings),
  };
}
