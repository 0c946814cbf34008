import { type Serde, SerdeError } from './serde.js';
import { Packr } from 'msgpackr';
import { AvroSerde, type AvroSerdeOptions } from './registry/avro.js';
import { JsonSchemaSerde, type JsonSchemaSerdeOptions } from './registry/json-schema.js';
import { ProtobufSerde, type ProtobufSerdeOptions } from './registry/protobuf.js';

function typeError(serde: string, data: unknown): SerdeError {
  const what = data === undefined ? 'undefined' : Array.isArray(data) ? 'array' : typeof data;
  return new SerdeError(`the ${serde} serde cannot serialize a value of type ${what}`);
}

function sizeError(serde: string, expected: number, actual: number): SerdeError {
  return new SerdeError(`the ${serde} serde expects ${expected} bytes but got ${actual}`);
}

class StringSerde implements Serde<string> {
  readonly name = 'string';
  serialize(data: string | null): Buffer | null {
    if (data === null || data === undefined) return null;
    if (typeof data !== 'string') throw typeError(this.name, data);
    return Buffer.from(data, 'utf8');
  }
  deserialize(data: Buffer | null): string | null {
    return data === null ? null : data.toString('utf8');
  }
}

/** Kafka's LongSerializer: 8 bytes, big-endian two's complement. Values are JS numbers (exact to 2^53). */
class LongSerde implements Serde<number> {
  readonly name = 'long';
  serialize(data: number | null): Buffer | null {
    if (data === null || data === undefined) return null;
    if (typeof data !== 'number' || !Number.isInteger(data)) {
      if (typeof data === 'bigint') return writeBigInt(data);
      throw typeError(this.name, data);
    }
    const buf = Buffer.allocUnsafe(8);
    const hi = Math.floor(data / 4294967296);
    buf.writeInt32BE(hi, 0);
    buf.writeUInt32BE(data - hi * 4294967296, 4);
    return buf;
  }
  deserialize(data: Buffer | null): number | null {
    if (data === null) return null;
    if (data.length !== 8) throw sizeError(this.name, 8, data.length);
    return data.readInt32BE(0) * 4294967296 + data.readUInt32BE(4);
  }
}

function writeBigInt(value: bigint): Buffer {
  const buf = Buffer.allocUnsafe(8);
  buf.writeBigInt64BE(value, 0);
  return buf;
}

/** Kafka's LongSerializer with bigint values, for counts beyond 2^53. */
class BigIntSerde implements Serde<bigint> {
  readonly name = 'bigint';
  serialize(data: bigint | null): Buffer | null {
    if (data === null || data === undefined) return null;
    if (typeof data === 'number' && Number.isInteger(data)) return writeBigInt(BigInt(data));
    if (typeof data !== 'bigint') throw typeError(this.name, data);
    return writeBigInt(data);
  }
  deserialize(data: Buffer | null): bigint | null {
    if (data === null) return null;
    if (data.length !== 8) throw sizeError(this.name, 8, data.length);
    return data.readBigInt64BE(0);
  }
}

class IntegerSerde implements Serde<number> {
  readonly name = 'integer';
  serialize(data: number | null): Buffer | null {
    if (data === null || data === undefined) return null;
    if (typeof data !== 'number' || !Number.isInteger(data)) throw typeError(this.name, data);
    const buf = Buffer.allocUnsafe(4);
    buf.writeInt32BE(data | 0, 0);
    return buf;
  }
  deserialize(data: Buffer | null): number | null {
    if (data === null) return null;
    if (data.length !== 4) throw sizeError(this.name, 4, data.length);
    return data.readInt32BE(0);
  }
}

class ShortSerde implements Serde<number> {
  readonly name = 'short';
  serialize(data: number | null): Buffer | null {
    if (data === null || data === undefined) return null;
    if (typeof data !== 'number' || !Number.isInteger(data)) throw typeError(this.name, data);
    const buf = Buffer.allocUnsafe(2);
    buf.writeInt16BE(data, 0);
    return buf;
  }
  deserialize(data: Buffer | null): number | null {
    if (data === null) return null;
    if (data.length !== 2) throw sizeError(this.name, 2, data.length);
    return data.readInt16BE(0);
  }
}

class DoubleSerde implements Serde<number> {
  readonly name = 'double';
  serialize(data: number | null): Buffer | null {
    if (data === null || data === undefined) return null;
    if (typeof data !== 'number') throw typeError(this.name, data);
    const buf = Buffer.allocUnsafe(8);
    buf.writeDoubleBE(data, 0);
    return buf;
  }
  deserialize(data: Buffer | null): number | null {
    if (data === null) return null;
    if (data.length !== 8) throw sizeError(this.name, 8, data.length);
    return data.readDoubleBE(0);
  }
}

class FloatSerde implements Serde<number> {
  readonly name = 'float';
  serialize(data: number | null): Buffer | null {
    if (data === null || data === undefined) return null;
    if (typeof data !== 'number') throw typeError(this.name, data);
    const buf = Buffer.allocUnsafe(4);
    buf.writeFloatBE(data, 0);
    return buf;
  }
  deserialize(data: Buffer | null): number | null {
    if (data === null) return null;
    if (data.length !== 4) throw sizeError(this.name, 4, data.length);
    return data.readFloatBE(0);
  }
}

class BytesSerde implements Serde<Buffer> {
  readonly name = 'bytes';
  serialize(data: Buffer | null): Buffer | null {
    if (data === null || data === undefined) return null;
    const bytes: unknown = data;
    if (Buffer.isBuffer(bytes)) return bytes;
    if (bytes instanceof Uint8Array) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    throw typeError(this.name, bytes);
  }
  deserialize(data: Buffer | null): Buffer | null {
    return data;
  }
}

/** Kafka's VoidSerde: only null is allowed. */
class VoidSerde implements Serde<null> {
  readonly name = 'void';
  serialize(data: null): Buffer | null {
    if (data !== null && data !== undefined) throw new SerdeError('the void serde only serializes null');
    return null;
  }
  deserialize(data: Buffer | null): null {
    if (data !== null) throw new SerdeError('the void serde only deserializes null');
    return null;
  }
}

class JsonSerde<T> implements Serde<T> {
  readonly name = 'json';
  serialize(data: T | null): Buffer | null {
    if (data === null || data === undefined) return null;
    return Buffer.from(JSON.stringify(data), 'utf8');
  }
  deserialize(data: Buffer | null): T | null {
    if (data === null) return null;
    try {
      return JSON.parse(data.toString('utf8')) as T;
    } catch (e) {
      throw new SerdeError(`invalid JSON: ${(e as Error).message}`);
    }
  }
}

class MsgpackSerde<T> implements Serde<T> {
  readonly name = 'msgpack';
  private readonly packr = new Packr({ useRecords: false, moreTypes: true });
  serialize(data: T | null): Buffer | null {
    if (data === null || data === undefined) return null;
    return this.packr.pack(data);
  }
  deserialize(data: Buffer | null): T | null {
    if (data === null) return null;
    try {
      return this.packr.unpack(data) as T;
    } catch (e) {
      throw new SerdeError(`invalid msgpack: ${(e as Error).message}`);
    }
  }
}

class CustomSerde<T> implements Serde<T> {
  constructor(
    readonly name: string,
    private readonly ser: (data: T) => Buffer,
    private readonly de: (data: Buffer) => T,
  ) {}
  serialize(data: T | null): Buffer | null {
    return data === null || data === undefined ? null : this.ser(data);
  }
  deserialize(data: Buffer | null): T | null {
    return data === null ? null : this.de(data);
  }
}

const STRING = new StringSerde();
const LONG = new LongSerde();
const BIGINT = new BigIntSerde();
const INTEGER = new IntegerSerde();
const SHORT = new ShortSerde();
const DOUBLE = new DoubleSerde();
const FLOAT = new FloatSerde();
const BYTES = new BytesSerde();
const VOID = new VoidSerde();
const JSON_SERDE = new JsonSerde<unknown>();
const MSGPACK = new MsgpackSerde<unknown>();

/** Built-in serdes, named after Kafka's `Serdes` factory methods. */
export const Serdes = {
  String: (): Serde<string> => STRING,
  Long: (): Serde<number> => LONG,
  BigInt: (): Serde<bigint> => BIGINT,
  Integer: (): Serde<number> => INTEGER,
  Short: (): Serde<number> => SHORT,
  Double: (): Serde<number> => DOUBLE,
  Float: (): Serde<number> => FLOAT,
  ByteArray: (): Serde<Buffer> => BYTES,
  Bytes: (): Serde<Buffer> => BYTES,
  Void: (): Serde<null> => VOID,
  Json: <T = unknown>(): Serde<T> => JSON_SERDE as Serde<T>,
  Msgpack: <T = unknown>(): Serde<T> => MSGPACK as Serde<T>,
  /** Avro in the schema registry wire format (Confluent's KafkaAvroSerde). */
  Avro: <T = unknown>(options: AvroSerdeOptions): AvroSerde<T> => new AvroSerde<T>(options),
  /** Protobuf in the schema registry wire format (Confluent's KafkaProtobufSerde). */
  Protobuf: <T = Record<string, unknown>>(options: ProtobufSerdeOptions): ProtobufSerde<T> => new ProtobufSerde<T>(options),
  /** JSON Schema in the schema registry wire format (Confluent's KafkaJsonSchemaSerde). */
  JsonSchema: <T = unknown>(options: JsonSchemaSerdeOptions): JsonSchemaSerde<T> => new JsonSchemaSerde<T>(options),
  /** A serde from two functions; null is handled for you (it stays null). */
  from: <T>(serialize: (data: T) => Buffer, deserialize: (data: Buffer) => T, name = 'custom'): Serde<T> =>
    new CustomSerde(name, serialize, deserialize),
};

export function isStringSerde(serde: Serde<unknown>): boolean {
  return serde === STRING;
}

const BY_NAME: Record<string, () => Serde<any>> = {
  string: Serdes.String,
  long: Serdes.Long,
  bigint: Serdes.BigInt,
  integer: Serdes.Integer,
  int: Serdes.Integer,
  short: Serdes.Short,
  double: Serdes.Double,
  float: Serdes.Float,
  bytes: Serdes.Bytes,
  bytearray: Serdes.Bytes,
  void: Serdes.Void,
  json: Serdes.Json,
  msgpack: Serdes.Msgpack,
};

/** Looks a serde up by its name (as used in config files and CLI flags); undefined when unknown. */
export function serdeByName(name: string): Serde<any> | undefined {
  return BY_NAME[name.toLowerCase()]?.();
}

export function serdeNames(): string[] {
  return Object.keys(BY_NAME);
}
