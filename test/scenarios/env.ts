/**
 * What a runtime scenario needs from a log backend. The same scenarios (test/scenarios/*.ts) run
 * on the embedded log (test/scenarios/embedded.test.ts) and on a real Kafka broker
 * (test/kafka/scenarios.test.ts): a behaviour that differs between them is a bug.
 */
import { partitionForKey } from '../../src/log/murmur2.js';
import type { Log, ProducedRecord, TopicDescription } from '../../src/log/types.js';
import type { StreamsConfigInput } from '../../src/runtime/config.js';
import type { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import type { Serde } from '../../src/serde/serde.js';
import type { Topology } from '../../src/topology/topology.js';

export interface InputRecord {
  readonly key: string | null;
  readonly value: string | null;
  readonly timestamp?: number;
}

export interface OutputRecord<K, V> {
  key: K | null;
  value: V | null;
  timestamp: number;
  partition: number;
  offset: number;
  headers: Map<string, string>;
}

export interface ScenarioEnv {
  readonly kind: 'embedded' | 'kafka';
  /**
   * Added to every record timestamp a scenario writes (and subtracted from what it reads back):
   * 0 on the embedded log; on Kafka a recent time (a multiple of 10^8 ms, so window boundaries stay
   * aligned), because a broker deletes records older than a topic's retention.ms, which for
   * timestamps near 0 means at once.
   */
  readonly timeBase: number;
  /** The physical name of a scenario's topic (unique per test on Kafka, where tests share a broker). */
  topic(name: string): string;
  /** The application id for a scenario's application (unique per test on Kafka). */
  appId(name: string): string;
  /** Creates a topic unless it exists. */
  createTopic(topic: string, partitions: number): Promise<void>;
  /** Writes string records, creating the topic first (null keys round-robin, keys by murmur2). */
  produce(topic: string, records: readonly InputRecord[], partitions?: number): Promise<void>;
  /** Every committed record of a topic, partition by partition. */
  read<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): Promise<OutputRecord<K, V>[]>;
  describeTopics(names: readonly string[]): Promise<Map<string, TopicDescription>>;
  /** Runs an application until it has consumed and committed all its input. */
  runUntilIdle(topology: Topology, config: StreamsConfigInput): Promise<KafkaStreams>;
  /** Deletes an application's local state (its stores must then be restored from their changelogs). */
  wipeState(appId: string): void;
  /** Where an application's task stores live. */
  stateDirOf(appId: string): string;
  /** Runs `fn` with the backend's log (e.g. to prepare what a SQL script declares). */
  withLog<T>(fn: (log: Log) => Promise<T>): Promise<T>;
}

/** Turns string records into produced records for a topic with `partitions` partitions. */
export function toProduced(topic: string, records: readonly InputRecord[], partitions: number, timeBase = 0): ProducedRecord[] {
  let rr = 0;
  return records.map((r, i) => {
    const key = r.key === null ? null : Buffer.from(r.key);
    return {
      topic,
      partition: key === null ? rr++ % partitions : partitionForKey(key, partitions),
      key,
      value: r.value === null ? null : Buffer.from(r.value),
      timestamp: timeBase + (r.timestamp ?? i),
    };
  });
}

/** Reads all committed records of a topic through a log. */
export async function readThrough<K, V>(log: Log, topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): Promise<OutputRecord<K, V>[]> {
  const d = (await log.admin().describeTopics([topic])).get(topic);
  if (d === undefined) return [];
  const reader = log.reader({ readCommitted: true });
  const ends = await log.admin().endOffsets(topic);
  const out: OutputRecord<K, V>[] = [];
  try {
    for (let p = 0; p < d.partitions; p++) {
      let offset = 0;
      while (offset < ends[p]!) {
        const batch = await reader.read(topic, p, offset, 50_000);
        if (batch.length === 0) break;
        for (const r of batch) {
          out.push({
            key: keySerde.deserialize(r.key),
            value: valueSerde.deserialize(r.value),
            timestamp: r.timestamp,
            partition: r.partition,
            offset: r.offset,
            headers: new Map((r.headers ?? []).map(([k, v]) => [k, v?.toString() ?? ''])),
          });
        }
        offset = batch[batch.length - 1]!.offset + 1;
      }
    }
  } finally {
    await reader.close();
  }
  return out;
}

export interface Scenario {
  readonly name: string;
  /** Only on one backend (e.g. a behaviour of the embedded log's single-process locking). */
  readonly only?: 'embedded' | 'kafka';
  readonly timeoutMs?: number;
  run(env: ScenarioEnv): Promise<void>;
}

/** The last value per key. */
export function latest<K, V>(records: ReadonlyArray<{ key: K | null; value: V | null }>): Map<K | null, V | null> {
  const m = new Map<K | null, V | null>();
  for (const r of records) m.set(r.key, r.value);
  return m;
}
