import type { ProcessorContext } from '../../processor/api.js';
import type { Headers, RawHeaders } from '../../processor/headers.js';
import { StreamRecord } from '../../processor/record.js';
import type { InternalKeyValueStore } from '../../state/key-value-store.js';
import { internalContext } from '../../runtime/internal-context.js';
import { METRIC } from '../../runtime/metrics.js';
import { Change } from '../change.js';

/** Settings of a table processor decided while the topology is built (old values, materialization). */
export class TableProcessorConfig {
  sendOldValues = false;
  /** Store the processor materializes into; null when it is not materialized. */
  storeName: string | null = null;
}

/** Counts a dropped record and logs why (Kafka Streams' dropped-records sensor). */
export function dropRecord(context: ProcessorContext<any, any>, reason: string): void {
  const internal = internalContext(context);
  if (internal === null) return;
  internal.metrics.increment(METRIC.dropped);
  const meta = context.recordMetadata();
  const where = meta === null ? '' : ` topic=[${meta.topic}] partition=[${meta.partition}] offset=[${meta.offset}]`;
  internal.logger.warn(`Skipping record due to ${reason}.${where}`);
}

/**
 * Forwards table updates of a materialized processor: through the store's cache flushes when
 * caching is active, otherwise at once (Kafka Streams' TimestampedTupleForwarder).
 */
export class TupleForwarder<K, V> {
  readonly cachingActive: boolean;

  constructor(
    store: InternalKeyValueStore<K, V>,
    private readonly context: ProcessorContext<K, Change<V>>,
    private readonly sendOldValues: boolean,
  ) {
    this.cachingActive = store.setFlushListener(
      (key, newValue, oldValue, timestamp, headers) =>
        context.forward(new StreamRecord(key, new Change(newValue, oldValue), timestamp, headers)),
      sendOldValues,
    );
  }

  maybeForward(key: K, newValue: V | null, oldValue: V | null, timestamp: number, headers: Headers | RawHeaders | undefined): void {
    if (this.cachingActive) return;
    this.context.forward(new StreamRecord(key, new Change(newValue, this.sendOldValues ? oldValue : null), timestamp, headers));
  }
}
