/**
 * Decompression of record batches as Kafka's producers write them (codec in the batch attributes):
 * gzip (zlib), snappy (raw, or in the xerial framing Java's producer writes), lz4 (one LZ4 frame)
 * and zstd (one zstd frame). The three last are pure-JS decoders (snappyjs, lz4js, fzstd): no
 * native builds, so they install wherever kstream does.
 */
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';

const require = createRequire(import.meta.url);
const snappy = require('snappyjs') as { uncompress(data: Uint8Array): Uint8Array };
const lz4 = require('lz4js') as { decompress(data: Uint8Array): Uint8Array | number[] };

export const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** The xerial snappy-java stream header: magic, then version and compatible version (int32 each). */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER = 16;

const asBuffer = (u: Uint8Array | number[]): Buffer => (Buffer.isBuffer(u) ? u : Array.isArray(u) ? Buffer.from(u) : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

/** The records section of a batch compressed with `codec` (1..4). Throws on an unknown codec. */
export function decompressRecords(codec: number, data: Buffer): Buffer {
  switch (codec) {
    case 1:
      return gunzipSync(data);
    case 2:
      return unsnappy(data);
    case 3:
      return asBuffer(lz4.decompress(data));
    case 4:
      return asBuffer(zstdDecompress(data));
    default:
      throw new Error(`unknown compression codec ${codec}`);
  }
}

function unsnappy(data: Buffer): Buffer {
  if (data.length < XERIAL_HEADER || !data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) return asBuffer(snappy.uncompress(data));
  const blocks: Buffer[] = [];
  for (let at = XERIAL_HEADER; at + 4 <= data.length; ) {
    const length = data.readInt32BE(at);
    at += 4;
    blocks.push(asBuffer(snappy.uncompress(data.subarray(at, at + length))));
    at += length;
  }
  return blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks);
}
