import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedLog } from './embedded-log.js';
import type { ProducedRecord } from '../types.js';

function rec(topic: string, partition: number, key: string | null, value: string | null, timestamp: number): ProducedRecord {
  return {
    topic,
    partition,
    key: key === null ? null : Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    timestamp,
  };
}

describe('EmbeddedLog', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kstream-log-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates topics and reads back appended records with offsets, nulls and headers', async () => {
    const log = EmbeddedLog.open(dir);
    await log.admin().createTopics([{ name: 'in', partitions: 2 }]);
    await log.append([
      rec('in', 0, 'a', '1', 10),
      rec('in', 1, 'b', null, 11),
      { ...rec('in', 0, null, '3', 12), headers: [['h', Buffer.from('x')], ['n', null]] },
    ]);
    const r0 = await log.reader().read('in', 0, 0, 100);
    expect(r0.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString() ?? null, r.timestamp])).toEqual([
      [0, 'a', '1', 10],
      [1, null, '3', 12],
    ]);
    expect(r0[1]!.headers).toEqual([['h', Buffer.from('x')], ['n', null]]);
    const r1 = await log.reader().read('in', 1, 0, 100);
    expect(r1.map((r) => [r.offset, r.key?.toString(), r.value])).toEqual([[0, 'b', null]]);
    expect(await log.admin().endOffsets('in')).toEqual([2, 1]);
    expect(await log.admin().listTopics()).toEqual(['in']);
    await log.close();
  });

  it('reads from an offset in the middle of a batch and across segment rolls', async () => {
    const log = EmbeddedLog.open(dir, { segmentBytes: 300 });
    await log.admin().createTopics([{ name: 't', partitions: 1 }]);
    for (let b = 0; b < 10; b++) {
      await log.append(Array.from({ length: 5 }, (_, i) => rec('t', 0, `k${b}`, `v${b * 5 + i}`, b * 5 + i)));
    }
    const files = readdirSync(join(dir, 'log', 'topics', 't', '0'));
    expect(files.length).toBeGreaterThan(3);
    const all = await log.reader().read('t', 0, 0, 1000);
    expect(all.map((r) => r.value!.toString())).toEqual(Array.from({ length: 50 }, (_, i) => `v${i}`));
    const mid = await log.reader().read('t', 0, 23, 1);
    expect(mid[0]!.offset).toBe(23);
    expect(mid[0]!.value!.toString()).toBe('v23');
    await log.close();
  });

  it('commits records and group offsets atomically, visible to another instance', async () => {
    const a = EmbeddedLog.open(dir);
    await a.admin().createTopics([{ name: 'out', partitions: 1 }, { name: 'in', partitions: 1 }]);
    const producer = a.taskProducer({ guarantee: 'exactly_once', applicationId: 'app' });
    producer.send('0_0', [rec('out', 0, 'k', 'v1', 1), rec('out', 0, 'k', 'v2', 2)]);
    const b = EmbeddedLog.open(dir);
    expect(await b.reader().read('out', 0, 0, 10)).toEqual([]);
    const ends = await producer.commit('app', [{ taskId: '0_0', offsets: [{ topic: 'in', partition: 0, offset: 7, metadata: 'pt=5' }] }]);
    expect(ends.get('out/0')).toBe(2);
    expect((await b.reader().read('out', 0, 0, 10)).map((r) => r.value!.toString())).toEqual(['v1', 'v2']);
    expect(await b.admin().committedOffsets('app', ['in'])).toEqual(new Map([['in/0', { offset: 7, metadata: 'pt=5' }]]));
    await a.close();
    await b.close();
  });

  it('aborted task output never becomes visible', async () => {
    const log = EmbeddedLog.open(dir);
    await log.admin().createTopics([{ name: 'out', partitions: 1 }]);
    const producer = log.taskProducer({ guarantee: 'exactly_once', applicationId: 'app' });
    producer.send('0_0', [rec('out', 0, 'k', 'lost', 1)]);
    await producer.abort(['0_0']);
    producer.send('0_0', [rec('out', 0, 'k', 'kept', 2)]);
    await producer.commit('app', [{ taskId: '0_0', offsets: [] }]);
    expect((await log.reader().read('out', 0, 0, 10)).map((r) => r.value!.toString())).toEqual(['kept']);
    await log.close();
  });

  it('deletes whole segments below a purge offset and reads from the new start', async () => {
    const log = EmbeddedLog.open(dir, { segmentBytes: 200 });
    await log.admin().createTopics([{ name: 'r', partitions: 1 }]);
    for (let i = 0; i < 20; i++) await log.append([rec('r', 0, 'k', `v${i}`, i)]);
    const before = readdirSync(join(dir, 'log', 'topics', 'r', '0')).length;
    await log.admin().deleteRecordsBefore('r', 0, 15);
    const after = readdirSync(join(dir, 'log', 'topics', 'r', '0')).length;
    expect(after).toBeLessThan(before);
    expect(await log.admin().beginningOffsets('r')).toEqual([15]);
    const rest = await log.reader().read('r', 0, 0, 100);
    expect(rest.map((r) => r.offset)).toEqual([15, 16, 17, 18, 19]);
    await log.close();
  });

  it('rejects unknown topics and bad names with clear errors', async () => {
    const log = EmbeddedLog.open(dir);
    await expect(log.append([rec('nope', 0, 'k', 'v', 1)])).rejects.toThrow("topic 'nope' does not exist");
    await expect(log.admin().createTopics([{ name: 'bad name', partitions: 1 }])).rejects.toThrow("invalid topic name 'bad name'");
    await log.close();
  });
});

describe('EmbeddedLog with damaged segments', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kstream-log-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a length that jumps over a whole batch is caught by the next batch header, never read as a gap', async () => {
    const log = EmbeddedLog.open(dir);
    await log.admin().createTopics([{ name: 't', partitions: 1 }]);
    for (let b = 0; b < 3; b++) await log.append(Array.from({ length: 4 }, (_, i) => rec('t', 0, null, `v${b}-${i}`, i)));
    await log.close();
    const path = join(dir, 'log', 'topics', 't', '0', '00000000000000000000.log');
    const bytes = readFileSync(path);
    const first = bytes.readUInt32BE(0);
    bytes.writeUInt32BE(first + bytes.readUInt32BE(first), 0);
    writeFileSync(path, bytes);
    const reopened = EmbeddedLog.open(dir);
    try {
      // From offset 9 (third batch) the reader walks headers only: the second batch is skipped.
      expect(() => reopened.readPartition('t', 0, 9, 100)).toThrow(
        /damaged log segment of topic 't' partition 0, \S+00000000000000000000\.log at byte \d+: the batch of offset 8 says the batch before it ended at offset 8, but that one ended at 4/,
      );
      // From the start every batch is checked whole.
      expect(() => reopened.readPartition('t', 0, 0, 100)).toThrow(/at byte 0: checksum mismatch/);
    } finally {
      await reopened.close();
    }
  });
});
