import type { Processor, ProcessorContext } from '../../processor/api.js';
import type { StreamRecord } from '../../processor/record.js';
import type { InternalKeyValueStore } from '../../state/key-value-store.js';
import type { Change } from '../change.js';
import { type TableProcessorConfig, TupleForwarder, dropRecord } from './support.js';

export type Initializer<VA> = () => VA;
export type Aggregator<K, V, VA> = (key: K, value: V, aggregate: VA) => VA;
export type Reducer<V> = (aggregate: V, value: V) => V;

/**
 * count / aggregate / reduce of a grouped stream (Kafka Streams' KStreamAggregate and
 * KStreamReduce): records with a null key or value are dropped; the result timestamp is the
 * largest input timestamp that contributed.
 */
export class StreamAggregateProcessor<K, V, VA> implements Processor<K, V, K, Change<VA>> {
  private context!: ProcessorContext<K, Change<VA>>;
  private store!: InternalKeyValueStore<K, VA>;
  private forwarder!: TupleForwarder<K, VA>;

  constructor(
    private readonly storeName: string,
    private readonly config: TableProcessorConfig,
    /** null for reduce: the first value becomes the aggregate. */
    private readonly initializer: Initializer<VA> | null,
    private readonly aggregator: Aggregator<K, V, VA>,
  ) {}

  init(context: ProcessorContext<K, Change<VA>>): void {
    this.context = context;
    this.store = context.getStateStore(this.storeName);
    this.forwarder = new TupleForwarder(this.store, context, this.config.sendOldValues);
  }

  process(record: StreamRecord<K, V>): void {
    if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
      dropRecord(this.context, 'null key or value');
      return;
    }
    const old = this.store.getWithTimestamp(record.key);
    let newAgg: VA;
    let oldForwarded: VA | null;
    let timestamp = record.timestamp;
    if (old === null || old.value === null) {
      if (this.initializer === null) {
        newAgg = record.value as unknown as VA;
        oldForwarded = null;
      } else {
        const initial = this.initializer();
        newAgg = this.aggregator(record.key, record.value, initial);
        oldForwarded = initial;
      }
    } else {
      if (old.timestamp > timestamp) timestamp = old.timestamp;
      newAgg = this.aggregator(record.key, record.value, old.value);
      oldForwarded = old.value;
    }
    this.store.putWithTimestamp(record.key, newAgg, timestamp, record.rawHeaders());
    this.forwarder.maybeForward(record.key, newAgg, oldForwarded, timestamp, record.rawHeaders());
  }
}

export function reduceAsAggregator<K, V>(reducer: Reducer<V>): Aggregator<K, V, V> {
  return (_key, value, aggregate) => reducer(aggregate, value);
}
