/** Reads one partition from an offset, outside any group (store restores, `kstream consume`). */
import type { Kafka } from 'kafkajs';
import { UnknownTopicError } from '../embedded/embedded-log.js';
import type { ConsumedRecord, PartitionReader } from '../types.js';
import type { KafkaTuning } from './client-config.js';
import { retrying } from './errors.js';
import { READ_COMMITTED, READ_UNCOMMITTED, createCluster, type KCluster } from './kafkajs-internals.js';
import { decodeRecordSet, fetchFrom } from './fetch.js';

/** Enough fetches to step over a long run of aborted records or markers before reporting the end. */
const MAX_SKIPS = 1000;

export class KafkaReader implements PartitionReader {
  private readonly cluster: KCluster;
  private readonly isolation: number;
  private readonly known = new Set<string>();
  private closed = false;

  constructor(
    kafka: Kafka,
    readCommitted: boolean,
    private readonly tuning: KafkaTuning,
  ) {
    this.isolation = readCommitted ? READ_COMMITTED : READ_UNCOMMITTED;
    this.cluster = createCluster(kafka, { isolationLevel: this.isolation });
  }

  async read(topic: string, partition: number, offset: number, maxRecords: number): Promise<ConsumedRecord[]> {
    const maxBytes = Math.max(64 * 1024, Math.min(8 * 1024 * 1024, maxRecords * 256));
    let position = offset;
    for (let skip = 0; skip < MAX_SKIPS; skip++) {
      const result = await this.fetchOnce(topic, partition, position, maxBytes);
      if (result.records.length > 0) return result.records;
      // Nothing readable here: transaction markers or aborted records may hide more further on.
      if (result.nextOffset <= position || result.nextOffset >= result.end) return [];
      position = result.nextOffset;
    }
    return [];
  }

  private fetchOnce(topic: string, partition: number, offset: number, maxBytes: number): Promise<{ records: ConsumedRecord[]; nextOffset: number; end: number }> {
    return retrying(
      `reading ${topic}-${partition}`,
      async () => {
        if (!this.known.has(topic)) {
          await this.cluster.addMultipleTargetTopics([topic]);
          if (this.cluster.findTopicPartitionMetadata(topic).length === 0) throw new UnknownTopicError(topic);
          this.known.add(topic);
        }
        const leaders = this.cluster.findLeaderForPartitions(topic, [partition]);
        const node = Object.keys(leaders)[0];
        if (node === undefined) throw new Error(`topic '${topic}' has no partition ${partition}`);
        const broker = await this.cluster.findBroker({ nodeId: node });
        let responses;
        try {
          responses = await fetchFrom(broker, {
            isolationLevel: this.isolation,
            maxWaitTime: 0,
            minBytes: 1,
            maxBytes,
                topics: [{ topic, partitions: [{ partition, fetchOffset: String(offset), maxBytes }] }],
          });
        } catch (error) {
          if ((error as { name?: string }).name === 'KafkaJSOffsetOutOfRange') {
            // Below the log start (deleted or compacted away): go on from there; above the end: nothing.
            const start = await this.listOffset(topic, partition, -2);
            if (offset < start) return this.fetchOnce(topic, partition, start, maxBytes);
            return { records: [], nextOffset: offset, end: offset };
          }
          if ((error as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION') {
            this.known.delete(topic);
            await this.cluster.refreshMetadata().catch(() => undefined);
          }
          throw error;
        }
        const data = responses[0]?.partitions[0];
        if (data === undefined) return { records: [], nextOffset: offset, end: offset };
        const decoded = decodeRecordSet(topic, data, offset);
        const end = this.isolation === READ_COMMITTED && data.lastStableOffset >= 0 ? data.lastStableOffset : data.highWatermark;
        return { records: decoded.records, nextOffset: decoded.nextOffset, end };
      },
      { timeoutMs: this.tuning.taskTimeoutMs, aborted: () => this.closed },
    );
  }

  private async listOffset(topic: string, partition: number, timestamp: number): Promise<number> {
    const leaders = this.cluster.findLeaderForPartitions(topic, [partition]);
    const broker = await this.cluster.findBroker({ nodeId: Object.keys(leaders)[0]! });
    const r = await broker.listOffsets({ isolationLevel: this.isolation, topics: [{ topic, partitions: [{ partition, timestamp }] }] });
    return Number(r.responses[0]!.partitions[0]!.offset);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.cluster.disconnect().catch(() => undefined);
  }
}
