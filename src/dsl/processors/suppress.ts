import type { Processor, ProcessorContext } from '../../processor/api.js';
import { Headers } from '../../processor/headers.js';
import { StreamRecord } from '../../processor/record.js';
import type { Serde } from '../../serde/serde.js';
import { SerdeError } from '../../serde/serde.js';
import type { BufferedChange, TimeOrderedBuffer } from '../../state/time-ordered-buffer.js';
import { StreamsError } from '../../runtime/node-runtime.js';
import { Change } from '../change.js';
import type { Windowed } from '../../common/windowed.js';
import type { BufferConfig } from '../suppressed.js';

/**
 * KTable.suppress (Kafka Streams' KTableSuppressProcessor): buffers the latest change per key and
 * emits it once `bufferTime <= observedStreamTime − duration`, oldest first (ties by key bytes).
 * Final results (untilWindowCloses) buffer by window end, wait for the window's grace and drop
 * tombstones; a time limit buffers by record time and keeps tombstones.
 */
export class SuppressProcessor<K, V> implements Processor<K, Change<V>, K, Change<V>> {
  private context!: ProcessorContext<K, Change<V>>;
  private buffer!: TimeOrderedBuffer;
  private observedStreamTime = -1;
  private readonly emitOne = (e: BufferedChange) => this.emit(e);

  constructor(
    private readonly nodeName: string,
    private readonly storeName: string,
    private readonly finalResults: boolean,
    private readonly durationMs: number,
    private readonly bufferConfig: BufferConfig,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {}

  init(context: ProcessorContext<K, Change<V>>): void {
    this.context = context;
    this.buffer = context.getStateStore(this.storeName);
  }

  process(record: StreamRecord<K, Change<V>>): void {
    const ts = record.timestamp;
    if (ts > this.observedStreamTime) this.observedStreamTime = ts;
    const bufferTime = this.finalResults ? (record.key as unknown as Windowed<unknown>).window.end : ts;
    const keyBytes = this.keySerde.serialize(record.key);
    if (keyBytes === null) throw new SerdeError('a suppressed key must not serialize to null');
    const change = record.value;
    const meta = this.context.recordMetadata();
    this.buffer.put(
      bufferTime,
      keyBytes,
      change.oldValue === null ? null : this.valueSerde.serialize(change.oldValue),
      change.newValue === null ? null : this.valueSerde.serialize(change.newValue),
      {
        timestamp: ts,
        offset: meta?.offset ?? -1,
        topic: meta?.topic ?? null,
        partition: meta?.partition ?? -1,
        headers: record.headers.toRaw(),
      },
    );
    this.enforceConstraints();
  }

  private overCapacity(): boolean {
    return this.buffer.numRecords() > this.bufferConfig.maxRecords || this.buffer.bufferSize() > this.bufferConfig.maxBytes;
  }

  private enforceConstraints(): void {
    const expiryTime = this.observedStreamTime - this.durationMs;
    this.buffer.evictWhile(() => this.buffer.minTimestamp() <= expiryTime, this.emitOne);
    if (this.overCapacity()) {
      if (this.bufferConfig.strategy === 'EMIT') {
        this.buffer.evictWhile(() => this.overCapacity(), this.emitOne);
      } else {
        const max = (n: number) => (n === Infinity ? Number.MAX_SAFE_INTEGER : n);
        throw new StreamsError(
          `${this.nodeName} buffer exceeded its max capacity. Currently [${this.buffer.numRecords()}/${max(this.bufferConfig.maxRecords)}] records ` +
            `and [${this.buffer.bufferSize()}/${max(this.bufferConfig.maxBytes)}] bytes.`,
        );
      }
    }
  }

  private emit(e: BufferedChange): void {
    if (e.newValue === null && this.finalResults) return;
    const key = this.keySerde.deserialize(e.keyBytes) as K;
    const newValue = e.newValue === null ? null : (this.valueSerde.deserialize(e.newValue) as V);
    const oldValue = e.oldValue === null ? null : (this.valueSerde.deserialize(e.oldValue) as V);
    this.context.forward(new StreamRecord(key, new Change(newValue, oldValue), e.context.timestamp, new Headers(e.context.headers)));
  }
}
