/** Big-endian 64-bit integers for JS numbers (exact up to 2^53), order-preserving for values >= 0. */
export function writeLong(buf: Buffer, offset: number, n: number): void {
  const hi = Math.floor(n / 4294967296);
  buf.writeInt32BE(hi, offset);
  buf.writeUInt32BE(n - hi * 4294967296, offset + 4);
}

export function readLong(buf: Buffer, offset: number): number {
  return buf.readInt32BE(offset) * 4294967296 + buf.readUInt32BE(offset + 4);
}

export function longBytes(n: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  writeLong(b, 0, n);
  return b;
}

/** The bytes of a Java `Long.MAX_VALUE` time bound, as a JS number (clamped). */
export const LONG_MAX = Number.MAX_SAFE_INTEGER;
