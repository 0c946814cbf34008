/**
 * Kafka's default partitioner hash (MurmurHash2, seed 0x9747b28c), so that a key lands in the same
 * partition number on the embedded log as on Kafka.
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const m = 0x5bd1e995;
  let h = 0x9747b28c ^ length;
  const words = length >> 2;
  for (let i = 0; i < words; i++) {
    const o = i << 2;
    let k = (data[o]! & 0xff) | ((data[o + 1]! & 0xff) << 8) | ((data[o + 2]! & 0xff) << 16) | ((data[o + 3]! & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = words << 2;
  const rest = length & 3;
  if (rest === 3) h ^= (data[tail + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail]! & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's `Utils.toPositive(murmur2(key)) % numPartitions`. */
export function partitionForKey(key: Uint8Array, numPartitions: number): number {
  return (murmur2(key) & 0x7fffffff) % numPartitions;
}

/** murmur2 of a string's UTF-8 bytes; ASCII strings are hashed without encoding them first. */
export function murmur2Utf8(s: string): number {
  const length = s.length;
  for (let i = 0; i < length; i++) if (s.charCodeAt(i) > 0x7f) return murmur2(Buffer.from(s, 'utf8'));
  const m = 0x5bd1e995;
  let h = 0x9747b28c ^ length;
  const words = length >> 2;
  for (let i = 0; i < words; i++) {
    const o = i << 2;
    let k = s.charCodeAt(o) | (s.charCodeAt(o + 1) << 8) | (s.charCodeAt(o + 2) << 16) | (s.charCodeAt(o + 3) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = words << 2;
  const rest = length & 3;
  if (rest === 3) h ^= s.charCodeAt(tail + 2) << 16;
  if (rest >= 2) h ^= s.charCodeAt(tail + 1) << 8;
  if (rest >= 1) {
    h ^= s.charCodeAt(tail);
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition of a key on the wire (bytes, or a string standing for its UTF-8 bytes). */
export function partitionForWireKey(key: Uint8Array | string, numPartitions: number): number {
  if (numPartitions === 1) return 0;
  const h = typeof key === 'string' ? murmur2Utf8(key) : murmur2(key);
  return (h & 0x7fffffff) % numPartitions;
}
