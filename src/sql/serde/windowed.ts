/**
 * Windowed keys as Kafka Streams' windowed serdes lay them out:
 * - time windows (TUMBLING/HOPPING): [key bytes][window start: 8-byte big-endian long];
 *   the end is start + window size (TimeWindowedSerializer / TimeWindowedDeserializer);
 * - session windows: [key bytes][window end: 8 bytes][window start: 8 bytes]
 *   (SessionKeySchema.toBinary).
 */
import type { WindowInfo } from './format-info.js';
import { SerdeError, type Serde } from '../../serde/serde.js';

export interface Window {
  readonly start: number;
  readonly end: number;
}

export interface Windowed<K> {
  readonly key: K;
  readonly window: Window;
}

export function windowedSerde<K>(inner: Serde<K>, window: WindowInfo): Serde<Windowed<K>> {
  const session = window.type === 'SESSION';
  const suffix = session ? 16 : 8;
  const size = window.sizeMs ?? 0;
  return {
    name: `windowed(${inner.name})`,
    serialize(data, topic) {
      if (data === null) return null;
      const key = inner.serialize(data.key, topic) ?? Buffer.alloc(0);
      const out = Buffer.allocUnsafe(key.length + suffix);
      key.copy(out, 0);
      if (session) {
        out.writeBigInt64BE(BigInt(data.window.end), key.length);
        out.writeBigInt64BE(BigInt(data.window.start), key.length + 8);
      } else {
        out.writeBigInt64BE(BigInt(data.window.start), key.length);
      }
      return out;
    },
    deserialize(data, topic) {
      if (data === null) return null;
      if (data.length < suffix) throw new SerdeError(`Windowed key is too short: ${data.length} bytes`);
      const keyBytes = data.subarray(0, data.length - suffix);
      const key = inner.deserialize(keyBytes.length === 0 ? null : Buffer.from(keyBytes), topic) as K;
      if (session) {
        const end = Number(data.readBigInt64BE(data.length - 16));
        const start = Number(data.readBigInt64BE(data.length - 8));
        return { key, window: { start, end } };
      }
      const start = Number(data.readBigInt64BE(data.length - 8));
      return { key, window: { start, end: start + size } };
    },
  };
}
