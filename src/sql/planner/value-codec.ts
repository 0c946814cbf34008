/**
 * A compact, self-describing binary encoding of SQL values, for what only kstream itself reads:
 * repartition topics, state stores and their changelogs (rows, keys and aggregation states).
 * It round-trips every runtime value of the SQL layer exactly — BIGINT as bigint, DECIMAL with
 * its scale, BYTES, MAP (any key type) apart from STRUCT (plain object), arrays, nested — which
 * msgpack alone does not (it cannot tell a Map from an object nor carry a Decimal).
 *
 * One shared scratch buffer grows as needed; each encode copies out exactly the bytes written.
 */
import { Decimal } from '../types/decimal.js';
import { SerdeError, type Serde } from '../../serde/serde.js';

const enum Tag {
  Null = 0,
  False = 1,
  True = 2,
  Float = 3,
  Int32 = 4,
  Int64 = 5,
  String = 6,
  Decimal = 7,
  Bytes = 8,
  Array = 9,
  Map = 10,
  Struct = 11,
  BigText = 12,
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

class Writer {
  buf = Buffer.allocUnsafe(1024);
  pos = 0;

  reset(): void {
    this.pos = 0;
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  u32(n: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(n, this.pos);
    this.pos += 4;
  }

  i32(n: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(n, this.pos);
    this.pos += 4;
  }

  string(s: string): void {
    const max = Buffer.byteLength(s, 'utf8');
    this.ensure(4 + max);
    const n = this.buf.write(s, this.pos + 4, 'utf8');
    this.buf.writeUInt32BE(n, this.pos);
    this.pos += 4 + n;
  }

  value(v: unknown): void {
    if (v === null || v === undefined) return this.byte(Tag.Null);
    switch (typeof v) {
      case 'boolean':
        return this.byte(v ? Tag.True : Tag.False);
      case 'number':
        if (Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 && !Object.is(v, -0)) {
          this.byte(Tag.Int32);
          return this.i32(v);
        }
        this.ensure(9);
        this.buf[this.pos++] = Tag.Float;
        this.buf.writeDoubleBE(v, this.pos);
        this.pos += 8;
        return;
      case 'bigint':
        if (v >= INT64_MIN && v <= INT64_MAX) {
          this.ensure(9);
          this.buf[this.pos++] = Tag.Int64;
          this.buf.writeBigInt64BE(v, this.pos);
          this.pos += 8;
          return;
        }
        this.byte(Tag.BigText);
        return this.string(v.toString());
      case 'string':
        this.byte(Tag.String);
        return this.string(v);
      case 'object':
        return this.object(v as object);
      default:
        throw new SerdeError(`cannot encode a value of type ${typeof v}`);
    }
  }

  private object(v: object): void {
    if (Array.isArray(v)) {
      this.byte(Tag.Array);
      this.u32(v.length);
      for (let i = 0; i < v.length; i++) this.value(v[i]);
      return;
    }
    if (v instanceof Decimal) {
      this.byte(Tag.Decimal);
      this.i32(v.scale);
      return this.string(v.unscaled.toString());
    }
    if (Buffer.isBuffer(v) || v instanceof Uint8Array) {
      this.byte(Tag.Bytes);
      this.u32(v.length);
      this.ensure(v.length);
      this.buf.set(v, this.pos);
      this.pos += v.length;
      return;
    }
    if (v instanceof Map) {
      this.byte(Tag.Map);
      this.u32(v.size);
      for (const [k, x] of v) {
        this.value(k);
        this.value(x);
      }
      return;
    }
    const keys = Object.keys(v);
    this.byte(Tag.Struct);
    this.u32(keys.length);
    const o = v as Record<string, unknown>;
    for (const k of keys) {
      this.string(k);
      this.value(o[k]);
    }
  }
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  private u32(): number {
    const n = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return n;
  }

  private i32(): number {
    const n = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return n;
  }

  private string(): string {
    const n = this.u32();
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  value(): unknown {
    const tag = this.buf[this.pos++];
    switch (tag) {
      case Tag.Null:
        return null;
      case Tag.False:
        return false;
      case Tag.True:
        return true;
      case Tag.Int32:
        return this.i32();
      case Tag.Float: {
        const d = this.buf.readDoubleBE(this.pos);
        this.pos += 8;
        return d;
      }
      case Tag.Int64: {
        const b = this.buf.readBigInt64BE(this.pos);
        this.pos += 8;
        return b;
      }
      case Tag.BigText:
        return BigInt(this.string());
      case Tag.String:
        return this.string();
      case Tag.Decimal: {
        const scale = this.i32();
        return new Decimal(BigInt(this.string()), scale);
      }
      case Tag.Bytes: {
        const n = this.u32();
        const out = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
        this.pos += n;
        return out;
      }
      case Tag.Array: {
        const n = this.u32();
        const out = new Array<unknown>(n);
        for (let i = 0; i < n; i++) out[i] = this.value();
        return out;
      }
      case Tag.Map: {
        const n = this.u32();
        const out = new Map<unknown, unknown>();
        for (let i = 0; i < n; i++) {
          const k = this.value();
          out.set(k, this.value());
        }
        return out;
      }
      case Tag.Struct: {
        const n = this.u32();
        const out: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const k = this.string();
          out[k] = this.value();
        }
        return out;
      }
      default:
        throw new SerdeError(`invalid SQL value encoding (tag ${String(tag)} at ${this.pos - 1})`);
    }
  }
}

const writer = new Writer();

export function encodeValue(v: unknown): Buffer {
  writer.reset();
  writer.value(v);
  return Buffer.from(writer.buf.subarray(0, writer.pos));
}

export function decodeValue(b: Buffer): unknown {
  const r = new Reader(b);
  return r.value();
}

/** The serde of internal topics and stores of SQL queries (null stays a tombstone). */
export function sqlValueSerde<T = unknown>(): Serde<T> {
  return SQL_VALUE_SERDE as Serde<T>;
}

const SQL_VALUE_SERDE: Serde<unknown> = {
  name: 'ksql-internal',
  serialize(data) {
    if (data === null || data === undefined) return null;
    return encodeValue(data);
  },
  deserialize(data) {
    if (data === null) return null;
    try {
      return decodeValue(data);
    } catch (e) {
      if (e instanceof SerdeError) throw e;
      throw new SerdeError(`invalid SQL value encoding: ${(e as Error).message}`);
    }
  },
};
