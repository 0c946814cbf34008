import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Level } from 'level';
import { BATCH_HEADER_BYTES } from '../../src/log/embedded/batch-format.js';
import { crc32c } from '../../src/log/embedded/checksum.js';
import { tempDir } from '../helpers/embedded.js';
import { WORDCOUNT, countWords, expectOneLineError, kstream, lastCounts, requireBuild } from './cli.js';

const INPUT = 'streams-plaintext-input';
const CHANGELOG = 'streams-wordcount-counts-store-changelog';

describe('the embedded log protects its data (CLI)', () => {
  let dir: string;
  let cleanup: () => void;
  let d: string[];
  beforeAll(() => requireBuild());
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('kstream-integrity-'));
    d = ['--data-dir', dir];
  });
  afterEach(() => cleanup());

  const segment = (topic: string) => join(dir, 'log', 'topics', topic, '0', '00000000000000000000.log');
  const stateFile = () => join(dir, 'log', 'state.json');
  const storeDir = () => join(dir, 'state', 'streams-wordcount', '1_0', 'counts-store');
  const produce = async (lines: readonly string[]) => {
    const r = await kstream(['produce', INPUT, ...d], lines.join('\n') + '\n');
    expect(r.code, r.stderr).toBe(0);
  };
  const run = () => kstream(['run', WORDCOUNT, '--until-idle', ...d]);
  const consume = (topic: string, extra: string[] = []) => kstream(['consume', topic, '--from-beginning', '--timeout-ms', '300', ...extra, ...d]);
  const counts = async () => {
    const r = await consume('streams-wordcount-output', ['--print-key', '--value-format', 'long']);
    expect(r.code, r.stderr).toBe(0);
    return lastCounts(r.stdout);
  };
  /** Applies `change` to a file's bytes and returns them. */
  const damage = (path: string, change: (b: Buffer) => void): Buffer => {
    const bytes = readFileSync(path);
    change(bytes);
    writeFileSync(path, bytes);
    return bytes;
  };
  /** The byte position of the second batch (the first one's length field). */
  const secondBatch = (bytes: Buffer) => bytes.readUInt32BE(0);

  it('flipped value bytes in an input segment: consume and run stop at the damaged batch; nothing is written', async () => {
    await produce(['hello world', 'alpha beta']);
    const damaged = damage(segment(INPUT), (b) => b.write('jell', b.indexOf('hello')));
    const consumed = await consume(INPUT);
    expectOneLineError(consumed, /damaged log segment of topic 'streams-plaintext-input' partition 0, \S+00000000000000000000\.log at byte 0: checksum mismatch/);
    expect(consumed.stdout).toBe('');
    expectOneLineError(await run(), /streams-plaintext-input\/0\/00000000000000000000\.log at byte 0: checksum mismatch/);
    expect(readFileSync(segment(INPUT)).equals(damaged)).toBe(true);
    expect(statSync(segment('streams-wordcount-output'), { throwIfNoEntry: false })?.size ?? 0).toBe(0);
  });

  it('flipped bytes in a changelog segment: the restore stops instead of restoring a wrong count', async () => {
    await produce(['kafka streams kafka', 'kafka summit']);
    expect((await run()).code).toBe(0);
    expect((await counts()).get('kafka')).toBe(3);
    const before = (await consume('streams-wordcount-output')).stdout;
    rmSync(join(dir, 'state'), { recursive: true });
    damage(segment(CHANGELOG), (b) => {
      // The last changelog record of 'kafka' holds the count 3 as a long: make it 9.
      const at = b.lastIndexOf(Buffer.from([0, 0, 0, 0, 0, 0, 0, 3]));
      b[at + 7] = 9;
    });
    await produce(['kafka again']);
    expectOneLineError(await run(), /streams-wordcount-counts-store-changelog\/0\/00000000000000000000\.log at byte \d+: checksum mismatch/);
    expect((await consume('streams-wordcount-output')).stdout).toBe(before);
  });

  it('a truncated segment: the next produce fails and writes nothing past the hole', async () => {
    await produce(['one two']);
    await produce(['three four']);
    const path = segment(INPUT);
    const size = statSync(path).size;
    truncateSync(path, size - 5);
    expectOneLineError(await kstream(['produce', INPUT, ...d], 'five\n'), new RegExp(`00000000000000000000\\.log at byte ${size - 5}: the file ends 5 bytes before its committed size ${size}`));
    expect(statSync(path).size).toBe(size - 5);
    expectOneLineError(await consume(INPUT), /00000000000000000000\.log at byte \d+: the file is shorter than its committed size/);
  });

  it('a zeroed batch length: consume and run stop at once instead of spinning', async () => {
    await produce(['one two']);
    await produce(['three four']);
    const second = secondBatch(readFileSync(segment(INPUT)));
    damage(segment(INPUT), (b) => b.writeUInt32BE(0, second));
    const consumed = await consume(INPUT);
    expectOneLineError(consumed, new RegExp(`at byte ${second}: batch length 0 is out of bounds`));
    expect(consumed.ms).toBeLessThan(30_000);
    const ran = await run();
    expectOneLineError(ran, new RegExp(`at byte ${second}: batch length 0 is out of bounds`));
    expect(ran.ms).toBeLessThan(30_000);
  });

  it('huge length fields: a batch length is bounded by the committed extent, a record length by its batch', async () => {
    await produce(['one two', 'three']);
    damage(segment(INPUT), (b) => b.writeUInt32BE(0x7fffffff, 0));
    expectOneLineError(await consume(INPUT), /at byte 0: batch length 2147483647 is out of bounds/);
    // A value length that passes the checksum (as a writer bug would make it) is still bounded.
    damage(segment(INPUT), (b) => {
      const length = b.length;
      b.writeUInt32BE(length, 0);
      b.writeInt32BE(0x7ffffff0, BATCH_HEADER_BYTES + 8 + 4); // first record: timestamp, key length -1, then the value length
      b.writeUInt32BE(crc32c(b, 12, length), 8);
    });
    expectOneLineError(await consume(INPUT), /at byte 0: its 2 records do not fill its \d+ bytes/);
  });

  it('a deleted state file: every command refuses, and the segment is never overwritten', async () => {
    await produce(['one two', 'three']);
    const bytes = readFileSync(segment(INPUT));
    rmSync(stateFile());
    const missing = /missing log state file \S+state\.json: it is gone while segments hold data .*restore the data dir \(or this file\) from a backup/;
    expectOneLineError(await kstream(['topics', 'describe', INPUT, ...d]), missing);
    expectOneLineError(await kstream(['produce', INPUT, ...d], 'four\n'), missing);
    expectOneLineError(await run(), missing);
    expect(readFileSync(segment(INPUT)).equals(bytes)).toBe(true);
  });

  it('a truncated or bit-flipped state file is an error naming it', async () => {
    await produce(['one two']);
    const good = readFileSync(stateFile());
    writeFileSync(stateFile(), good.subarray(0, 100));
    expectOneLineError(await kstream(['topics', 'list', ...d]), /damaged log state file \S+state\.json: the body has \d+ bytes, its first line says \d+/);
    writeFileSync(stateFile(), Buffer.from(good.toString('latin1').replace('"end":1', '"end":7'), 'latin1'));
    expectOneLineError(await kstream(['produce', INPUT, ...d], 'x\n'), /damaged log state file \S+state\.json: checksum mismatch/);
  });

  it('a data dir of format 1 (no checksums) is refused with what to do', async () => {
    await produce(['one two']);
    writeFileSync(stateFile(), '{"version":1,"generation":1,"topics":{},"partitions":{},"groups":{}}');
    expectOneLineError(await kstream(['topics', 'list', ...d]), /state\.json: this data dir's log was written by an older kstream without checksums \(format 1\); .*produce the input again/);
  });

  it('an uncommitted tail (a crashed write) is never read, then cut and reported by the next write', async () => {
    await produce(['one two']);
    appendFileSync(segment(INPUT), Buffer.alloc(40, 0xab));
    const consumed = await consume(INPUT);
    expect(consumed.code, consumed.stderr).toBe(0);
    expect(consumed.stdout).toBe('one two\n');
    const r = await kstream(['produce', INPUT, ...d], 'three\n');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/WARN log segment \S+00000000000000000000\.log: cut 40 bytes past its committed size \d+/);
    expect((await consume(INPUT)).stdout).toBe('one two\nthree\n');
  });

  it('a damaged store checkpoint or a lossy LevelDB recovery: the store is rebuilt from its changelog, counts exact', async () => {
    const lines = ['kafka streams kafka', 'kafka summit', 'hello world'];
    await produce(lines);
    expect((await run()).code).toBe(0);
    const db = new Level<Buffer, Buffer>(storeDir(), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.put(Buffer.from([0x00, 0x63]), Buffer.from([1, 2, 3]));
    await db.close();
    await produce(['kafka hello']);
    const first = await run();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/WARN state store \S+counts-store is damaged: its checkpoint is damaged \(0x010203\); dropping its local data/);
    expect(await counts()).toEqual(countWords([...lines, 'kafka hello']));

    // A flipped byte in LevelDB's write-ahead log makes it drop records silently on recovery.
    const logs = readdirSync(storeDir()).filter((f) => /^\d+\.log$/.test(f));
    expect(logs.length).toBeGreaterThan(0);
    damage(join(storeDir(), logs[0]!), (b) => (b[Math.floor(b.length / 2)]! ^= 0x5a));
    await produce(['summit']);
    const second = await run();
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/WARN state store \S+counts-store is damaged: LevelDB recovered it with a loss: .*dropping \d+ bytes/);
    expect(await counts()).toEqual(countWords([...lines, 'kafka hello', 'summit']));
  });
});
