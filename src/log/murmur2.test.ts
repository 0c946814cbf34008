import { describe, expect, it } from 'vitest';
import { Partitioners } from 'kafkajs';
import { partitionForKey } from './murmur2.js';

describe('murmur2 partitioning', () => {
  it('matches the Java-compatible default partitioner of kafkajs for random keys', () => {
    const partitioner = Partitioners.DefaultPartitioner();
    let seed = 42;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 2000; i++) {
      const len = rand() % 40;
      const key = Buffer.alloc(len);
      for (let j = 0; j < len; j++) key[j] = rand() & 0xff;
      const n = 1 + (rand() % 17);
      const partitionMetadata = Array.from({ length: n }, (_, p) => ({ partitionId: p, leader: 0 }));
      const expected = partitioner({ topic: 't', partitionMetadata: partitionMetadata as any, message: { key, value: null } });
      expect(partitionForKey(key, n)).toBe(expected);
    }
  });

});

describe('murmur2 of strings', () => {
  it('equals murmur2 of the UTF-8 bytes, ASCII or not', async () => {
    const { murmur2, murmur2Utf8 } = await import('./murmur2.js');
    for (const s of ['', 'a', 'ab', 'abc', 'abcd', 'kafka streams', 'héllo wörld', '日本語のテキスト', 'x'.repeat(1001)]) {
      expect(murmur2Utf8(s)).toBe(murmur2(Buffer.from(s, 'utf8')));
    }
  });
});
