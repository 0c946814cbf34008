import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import { partitionForKey } from '../../src/log/murmur2.js';
import type { ProducedRecord } from '../../src/log/types.js';
import type { Serde } from '../../src/serde/serde.js';

/** A temporary directory removed by the returned cleanup function. */
export function tempDir(prefix = 'kstream-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes string records (key may be null) to a topic of the embedded log, creating it if needed. */
export async function produce(
  dataDir: string,
  topic: string,
  records: ReadonlyArray<{ key: string | null; value: string | null; timestamp?: number }>,
  partitions = 1,
): Promise<void> {
  const log = EmbeddedLog.open(dataDir);
  try {
    await log.admin().createTopics([{ name: topic, partitions }]);
    const n = (await log.admin().describeTopics([topic])).get(topic)!.partitions;
    let rr = 0;
    const out: ProducedRecord[] = records.map((r, i) => {
      const key = r.key === null ? null : Buffer.from(r.key);
      return {
        topic,
        partition: key === null ? rr++ % n : partitionForKey(key, n),
        key,
        value: r.value === null ? null : Buffer.from(r.value),
        timestamp: r.timestamp ?? i,
      };
    });
    for (let i = 0; i < out.length; i += 10_000) await log.append(out.slice(i, i + 10_000));
  } finally {
    await log.close();
  }
}

export interface ReadRecord<K, V> {
  key: K | null;
  value: V | null;
  timestamp: number;
  partition: number;
  offset: number;
  headers: Map<string, string>;
}

/** Every record of a topic, partition by partition, decoded with the given serdes. */
export async function readAll<K, V>(dataDir: string, topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): Promise<ReadRecord<K, V>[]> {
  const log = EmbeddedLog.open(dataDir);
  try {
    const d = (await log.admin().describeTopics([topic])).get(topic);
    if (d === undefined) return [];
    const reader = log.reader();
    const out: ReadRecord<K, V>[] = [];
    for (let p = 0; p < d.partitions; p++) {
      let offset = 0;
      for (;;) {
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
    return out;
  } finally {
    await log.close();
  }
}

/** The last value per key. */
export function latest<K, V>(records: ReadonlyArray<{ key: K | null; value: V | null }>): Map<K | null, V | null> {
  const m = new Map<K | null, V | null>();
  for (const r of records) m.set(r.key, r.value);
  return m;
}
