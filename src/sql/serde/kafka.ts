/**
 * KAFKA format: Kafka's primitive serializer encodings for a single column.
 * INTEGER → 4-byte big-endian int, BIGINT → 8-byte big-endian long, DOUBLE → 8-byte big-endian
 * IEEE 754, STRING → UTF-8, BYTES → raw bytes.
 */
import type { SqlType } from '../types/sql-type.js';
import { SerdeError } from '../../serde/serde.js';

export function writeKafka(v: unknown, t: SqlType): Buffer {
  switch (t.base) {
    case 'INTEGER': {
      const b = Buffer.allocUnsafe(4);
      b.writeInt32BE(v as number);
      return b;
    }
    case 'BIGINT': {
      const b = Buffer.allocUnsafe(8);
      b.writeBigInt64BE(v as bigint);
      return b;
    }
    case 'DOUBLE': {
      const b = Buffer.allocUnsafe(8);
      b.writeDoubleBE(v as number);
      return b;
    }
    case 'STRING':
      return Buffer.from(v as string, 'utf8');
    case 'BYTES':
      return Buffer.from(v as Buffer);
    default:
      throw new SerdeError(`The 'KAFKA' format does not support type '${t.base}'`);
  }
}

export function readKafka(data: Buffer, t: SqlType): unknown {
  switch (t.base) {
    case 'INTEGER':
      if (data.length !== 4) throw new SerdeError(`Size of data received by IntegerDeserializer is not 4`);
      return data.readInt32BE(0);
    case 'BIGINT':
      if (data.length !== 8) throw new SerdeError(`Size of data received by LongDeserializer is not 8`);
      return data.readBigInt64BE(0);
    case 'DOUBLE':
      if (data.length !== 8) throw new SerdeError(`Size of data received by Deserializer is not 8`);
      return data.readDoubleBE(0);
    case 'STRING':
      return data.toString('utf8');
    case 'BYTES':
      return Buffer.from(data);
    default:
      throw new SerdeError(`The 'KAFKA' format does not support type '${t.base}'`);
  }
}
