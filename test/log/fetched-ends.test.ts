/** The embedded group consumer knows every assigned partition's end at once, empty ones included. */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLog } from '../../src/log/open-log.js';
import { FetchedEnds } from '../../src/log/fetched-ends.js';
import { tpKey } from '../../src/log/types.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('FetchedEnds', () => {
  it('changes its version only when an end changes, and forgets every end on clear', () => {
    const ends = new FetchedEnds();
    expect(ends.get('t-0')).toBe(-1);
    ends.set('t-0', 5);
    const v = ends.version;
    ends.set('t-0', 5);
    expect(ends.version).toBe(v);
    ends.set('t-0', 7);
    expect([ends.get('t-0'), ends.version]).toEqual([7, v + 1]);
    ends.clear();
    expect([ends.get('t-0'), ends.version]).toEqual([-1, v + 2]);
  });
});

describe('the embedded group consumer', () => {
  it('reports the end of an empty partition and of a paused one without handing over records for them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kstream-fetched-ends-'));
    dirs.push(dir);
    const log = await openLog({ dataDir: dir });
    try {
      await log.admin().createTopics([{ name: 'orders', partitions: 1 }, { name: 'prices', partitions: 2 }]);
      await log.append([
        { topic: 'orders', partition: 0, key: 'a', value: '1', timestamp: 1 },
        { topic: 'prices', partition: 1, key: 'b', value: '2', timestamp: 1 },
        { topic: 'prices', partition: 1, key: 'c', value: '3', timestamp: 2 },
      ]);
      const c = log.groupConsumer('g', { readCommitted: true });
      let endsAtAssignment: number[] = [];
      await c.subscribe(['orders', 'prices'], {
        onAssigned: async () => {
          endsAtAssignment = [c.fetchedEnds.get(tpKey('prices', 0))];
          c.pause([{ topic: 'prices', partition: 1 }]);
        },
        onRevoked: async () => undefined,
      });
      const batches = await c.poll(0);
      expect(endsAtAssignment).toEqual([-1]);
      expect(batches.map((b) => `${b.topic}-${b.partition}:${b.records.length}`)).toEqual(['orders-0:1']);
      expect([tpKey('orders', 0), tpKey('prices', 0), tpKey('prices', 1)].map((k) => c.fetchedEnds.get(k))).toEqual([1, 0, 2]);
      await c.close();
    } finally {
      await log.close();
    }
  });
});
