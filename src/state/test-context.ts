import type { RawHeaders } from '../processor/headers.js';
import type { ChangelogRecord, StoreInitContext } from './managed-store.js';
import { RecordCache } from './record-cache.js';

/** A store context for unit tests of stores: records changelog writes and dropped-record reports. */
export interface TestStoreContext extends StoreInitContext {
  readonly logged: Array<ChangelogRecord & { headers?: RawHeaders }>;
  readonly dropped: string[];
  recordTimestamp: number;
}

export function testStoreContext(options: { storeDir?: string | null; cacheBytes?: number; changelog?: boolean } = {}): TestStoreContext {
  const logged: Array<ChangelogRecord & { headers?: RawHeaders }> = [];
  const dropped: string[] = [];
  const ctx: TestStoreContext = {
    applicationId: 'app',
    taskId: { subtopology: 0, partition: 0 },
    storeDir: options.storeDir ?? null,
    changelogTopic: options.changelog === false ? null : 'app-store-changelog',
    changelogPartition: 0,
    cache: new RecordCache(options.cacheBytes ?? 0),
    logged,
    dropped,
    recordTimestamp: 0,
    logChange: (_topic, _partition, key, value, timestamp, headers) =>
      logged.push({ key: key === null ? null : Buffer.from(key), value: value === null ? null : Buffer.from(value), timestamp, headers }),
    currentRecordTimestamp: () => ctx.recordTimestamp,
    currentStreamTime: () => ctx.recordTimestamp,
    onDroppedRecord: (m) => dropped.push(m),
  };
  return ctx;
}
