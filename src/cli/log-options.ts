import { Command, Option } from 'commander';
import type { Log } from '../log/types.js';
import { openLog } from '../log/open-log.js';
import { readConfigFile } from './config-file.js';
import { UserError } from './errors.js';

export interface LogCliOptions {
  dataDir: string;
  brokers?: string;
  /** Kafka client settings file (as Kafka's tools' --command-config): bootstrap.servers, security.protocol, sasl.*, ssl.*. */
  commandConfig?: string;
  securityProtocol?: string;
  saslMechanism?: string;
  saslUsername?: string;
  saslPassword?: string;
  sslCa?: string;
  sslCert?: string;
  sslKey?: string;
}

/** CLI flag → the Kafka client property it sets (see src/log/kafka/client-config.ts). */
const CLIENT_FLAGS: ReadonlyArray<readonly [keyof LogCliOptions, string]> = [
  ['securityProtocol', 'security.protocol'],
  ['saslMechanism', 'sasl.mechanism'],
  ['saslUsername', 'sasl.username'],
  ['saslPassword', 'sasl.password'],
  ['sslCa', 'ssl.ca.location'],
  ['sslCert', 'ssl.certificate.location'],
  ['sslKey', 'ssl.key.location'],
];

/** --data-dir, --brokers and the Kafka client security flags: which log a command talks to, and how. */
export function addLogOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--data-dir <dir>', 'embedded log and state directory').default('./.kstream').env('KSTREAM_DATA_DIR'))
    .addOption(new Option('--brokers <host:port,...>', 'use Apache Kafka at these bootstrap servers instead of the embedded log').env('KSTREAM_BROKERS'))
    .addOption(
      new Option('--security-protocol <protocol>', 'Kafka: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL')
        .choices(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'])
        .env('KSTREAM_SECURITY_PROTOCOL'),
    )
    .addOption(
      new Option('--sasl-mechanism <mechanism>', 'Kafka: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512')
        .choices(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'])
        .env('KSTREAM_SASL_MECHANISM'),
    )
    .addOption(new Option('--sasl-username <user>', 'Kafka: SASL user name').env('KSTREAM_SASL_USERNAME'))
    .addOption(new Option('--sasl-password <password>', 'Kafka: SASL password (better: the environment variable)').env('KSTREAM_SASL_PASSWORD'))
    .addOption(new Option('--ssl-ca <pem-file>', 'Kafka: CA certificate(s) to trust, PEM').env('KSTREAM_SSL_CA'))
    .addOption(new Option('--ssl-cert <pem-file>', 'Kafka: client certificate for mutual TLS, PEM'))
    .addOption(new Option('--ssl-key <pem-file>', 'Kafka: client private key for mutual TLS, PEM'))
    .addOption(new Option('--command-config <file>', 'Kafka client settings (.properties or .json): bootstrap.servers, security.protocol, sasl.*, ssl.*'));
}

/** `base` (e.g. `run`'s settings), then the --command-config file, then the flags: later ones win. */
export function logSettings(options: LogCliOptions, base: Record<string, unknown> = {}): Record<string, unknown> {
  const settings: Record<string, unknown> = { ...base, ...(options.commandConfig !== undefined ? readConfigFile(options.commandConfig) : {}) };
  for (const [flag, key] of CLIENT_FLAGS) {
    const v = options[flag];
    if (typeof v === 'string' && v !== '') settings[key] = v;
  }
  if (options.brokers !== undefined && options.brokers !== '') settings['bootstrap.servers'] = options.brokers;
  return settings;
}

/**
 * Opens the log the options select: Kafka when --brokers (or `bootstrap.servers` in the settings)
 * is given, else the embedded log of --data-dir. `settings` are settings of the command itself.
 */
export async function openCliLog(options: LogCliOptions, settings?: Record<string, unknown>): Promise<Log> {
  const all = logSettings(options, settings);
  const brokers = typeof all['bootstrap.servers'] === 'string' ? (all['bootstrap.servers'] as string) : undefined;
  try {
    return await openLog({ dataDir: options.dataDir, brokers, kafka: all });
  } catch (e) {
    throw new UserError((e as Error).message);
  }
}

export function positiveInt(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new UserError(`${name} must be a positive whole number, got '${value}'`);
    return n;
  };
}

export function nonNegativeInt(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new UserError(`${name} must be a whole number >= 0, got '${value}'`);
    return n;
  };
}
