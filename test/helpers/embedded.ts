import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import { partitionForKey } from '../../src/log/murmur2.js';
import type { ProducedRecord } from '../../src/log/types.js';
import type { Serde } from '../../src/serde/serde.js';
import { readThrough, type OutputRecord } from '../scenarios/env.js';

export { latest } from '../scenarios/env.js';

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

export type ReadRecord<K, V> = OutputRecord<K, V>;

/** Every record of a topic, partition by partition, decoded with the given serdes. */
export async function readAll<K, V>(dataDir: string, topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): Promise<ReadRecord<K, V>[]> {
  const log = EmbeddedLog.open(dataDir);
  try {
    return await readThrough(log, topic, keySerde, valueSerde);
  } finally {
    await log.close();
  }
}
