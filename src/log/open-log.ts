import type { Log } from './types.js';
import { EmbeddedLog } from './embedded/embedded-log.js';

export interface LogSelection {
  /** Kafka bootstrap servers; when absent the embedded log of `dataDir` is used. */
  readonly brokers?: string;
  readonly dataDir: string;
  /** kafkajs client settings (SASL, TLS...) for the Kafka backend. */
  readonly kafka?: Readonly<Record<string, unknown>>;
}

export async function openLog(selection: LogSelection): Promise<Log> {
  if (selection.brokers !== undefined && selection.brokers !== '') {
    throw new Error('the Kafka backend is not wired in yet');
  }
  return EmbeddedLog.open(selection.dataDir);
}
