/**
 * Starts `kstream server` (and the in-process server of `kstream sql`) on the embedded log or on
 * Kafka (--brokers). Settings from flags or a ksqlDB-style properties file (--config):
 * `listeners`, `ksql.service.id`, `authentication.file` (basic auth credentials),
 * `ssl.keystore.cert`/`ssl.keystore.key` (PEM, for an https listener); other settings are Kafka
 * Streams settings of every persistent query (`ksql.streams.` prefix optional).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Log } from '../log/types.js';
import { consoleLogger, type Logger } from '../common/logger.js';
import { BasicAuth } from '../server/basic-auth.js';
import { DEFAULT_SERVICE_ID, KsqlServer } from '../server/ksql-server.js';
import { readConfigFile } from './config-file.js';
import { UserError } from './errors.js';
import { LoggingProcessingLog } from './processing-log.js';
import { openCliLog, type LogCliOptions } from './log-options.js';

export interface ServerCliOptions extends LogCliOptions {
  listeners?: string;
  serviceId?: string;
  config?: string;
  stateDir?: string;
  guarantee?: 'exactly_once' | 'at_least_once';
  authFile?: string;
  tlsCert?: string;
  tlsKey?: string;
}

const SERVER_KEYS = new Set(['listeners', 'ksql.service.id', 'authentication.method', 'authentication.realm', 'authentication.file', 'ssl.keystore.cert', 'ssl.keystore.key']);

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UserError(`${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Opens the log and starts a server with the options' settings (also what `kstream sql` runs in process). */
export async function startServer(options: ServerCliOptions, logger: Logger = consoleLogger()): Promise<{ server: KsqlServer; log: Log }> {
  const file = options.config !== undefined ? readConfigFile(options.config) : {};
  const setting = (flag: string | undefined, key: string) => flag ?? (typeof file[key] === 'string' ? (file[key] as string) : undefined);
  const listener = setting(options.listeners, 'listeners') ?? 'http://127.0.0.1:8088';
  const serviceId = setting(options.serviceId, 'ksql.service.id') ?? DEFAULT_SERVICE_ID;
  if (!/^[A-Za-z0-9._-]+$/.test(serviceId)) throw new UserError(`ksql.service.id '${serviceId}': only letters, digits, '.', '_' and '-'`);
  const authFile = setting(options.authFile, 'authentication.file');
  const cert = setting(options.tlsCert, 'ssl.keystore.cert');
  const key = setting(options.tlsKey, 'ssl.keystore.key');
  const streamsConfig: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(file)) if (!SERVER_KEYS.has(k) && !k.startsWith('ksql.')) streamsConfig[k] = v;
  for (const [k, v] of Object.entries(file)) if (k.startsWith('ksql.streams.')) streamsConfig[k.slice('ksql.streams.'.length)] = v;
  streamsConfig['data.dir'] = options.dataDir;
  streamsConfig['state.dir'] = options.stateDir ?? join(options.dataDir, 'state');
  if (options.guarantee !== undefined) streamsConfig['processing.guarantee'] = options.guarantee;
  let auth: BasicAuth | undefined;
  try {
    auth = authFile === undefined ? undefined : BasicAuth.fromFile(authFile);
  } catch (e) {
    throw new UserError((e as Error).message);
  }
  const tls = cert !== undefined || key !== undefined ? { cert: readPem(cert ?? '', 'TLS certificate'), key: readPem(key ?? '', 'TLS key') } : undefined;
  const log = await openCliLog(options, file);
  try {
    const processingLog = (queryId: string) => new LoggingProcessingLog(queryId, logger);
    const server = await KsqlServer.start({ listener, log, serviceId, streamsConfig, logger, processingLog, ...(auth !== undefined ? { auth } : {}), ...(tls !== undefined ? { tls } : {}) });
    return { server, log };
  } catch (e) {
    await log.close();
    throw new UserError((e as Error).message);
  }
}

