import type { Log } from './types.js';
import type { Logger } from '../common/logger.js';
import { EmbeddedLog } from './embedded/embedded-log.js';

export interface LogSelection {
  /** Kafka bootstrap servers; when absent the embedded log of `dataDir` is used. */
  readonly brokers?: string;
  readonly dataDir: string;
  /**
   * Kafka client settings by Kafka property name (`security.protocol`, `sasl.mechanism`,
   * `sasl.username`, `ssl.ca.location`, `session.timeout.ms`...) or kafkajs-style (`ssl`, `sasl`,
   * `kafkajs`); see src/log/kafka/client-config.ts.
   */
  readonly kafka?: Readonly<Record<string, unknown>>;
  /** Where the Kafka backend reports retries and rebalances (default: stderr). */
  readonly logger?: Logger;
}

export async function openLog(selection: LogSelection): Promise<Log> {
  if (selection.brokers !== undefined && selection.brokers !== '') {
    // Loaded on demand: the embedded log never pays for kafkajs.
    const { KafkaLog } = await import('./kafka/kafka-log.js');
    return KafkaLog.open(selection.brokers, { settings: selection.kafka, logger: selection.logger });
  }
  const logger = selection.logger;
  return EmbeddedLog.open(selection.dataDir, logger === undefined ? {} : { warn: (message) => logger.warn(message) });
}
