import CRC32C from 'crc-32/crc32c.js';

/** CRC-32C (Castagnoli, as Kafka's record batches use) of `buf[start, end)`, unsigned. */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  return CRC32C.buf(start === 0 && end === buf.length ? buf : buf.subarray(start, end)) >>> 0;
}
