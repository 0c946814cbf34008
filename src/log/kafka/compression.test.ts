import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decompressRecords } from './compression.js';

const require = createRequire(import.meta.url);
const snappy = require('snappyjs') as { compress(data: Uint8Array): Uint8Array };
const lz4 = require('lz4js') as { compress(data: Uint8Array): Uint8Array };

const text = Buffer.from('kstream reads zstd: the quick brown fox jumps over the lazy dog, the quick brown fox jumps over the lazy dog\n');

describe('record batch decompression', () => {
  it('gzip', () => {
    expect(decompressRecords(1, gzipSync(text)).equals(text)).toBe(true);
  });

  it('snappy, raw (librdkafka) and in the xerial framing of Java producers', () => {
    expect(decompressRecords(2, Buffer.from(snappy.compress(text))).equals(text)).toBe(true);
    const half = text.length >> 1;
    const blocks = [text.subarray(0, half), text.subarray(half)].map((b) => Buffer.from(snappy.compress(b)));
    const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
    const framed = Buffer.concat([header, ...blocks.flatMap((b) => [Buffer.from([0, 0, 0, b.length]), b])]);
    expect(decompressRecords(2, framed).equals(text)).toBe(true);
  });

  it('lz4 frame', () => {
    expect(decompressRecords(3, Buffer.from(lz4.compress(text))).equals(text)).toBe(true);
  });

  it('zstd frame (made with the zstd command line tool)', () => {
    const frame = Buffer.from(
      '28b52ffd246d150200c2830d11907d50fa43e90fad74bbbbc67093c730032020685cefd1e65fe8343abb3cc3e30fc3499c1565a57faa2e4ca5dba9193fdd8d9f95b2020041658e084141013d221e22',
      'hex',
    );
    expect(decompressRecords(4, frame).toString()).toBe(text.toString());
  });

  it('an unknown codec is an error', () => {
    expect(() => decompressRecords(5, text)).toThrow(/unknown compression codec 5/);
  });
});
