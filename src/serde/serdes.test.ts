import { describe, expect, it } from 'vitest';
import { Serdes, serdeByName } from './serdes.js';
import { SerdeError } from './serde.js';

describe('built-in serdes', () => {
  it('use Kafka big-endian encodings for numbers', () => {
    expect(Serdes.Long().serialize(1)!.toString('hex')).toBe('0000000000000001');
    expect(Serdes.Long().serialize(-2)!.toString('hex')).toBe('fffffffffffffffe');
    expect(Serdes.Long().serialize(2 ** 40 + 5)!.toString('hex')).toBe('0000010000000005');
    expect(Serdes.Long().deserialize(Buffer.from('fffffffffffffffe', 'hex'))).toBe(-2);
    expect(Serdes.Long().deserialize(Buffer.from('0000010000000005', 'hex'))).toBe(2 ** 40 + 5);
    expect(Serdes.Integer().serialize(-1)!.toString('hex')).toBe('ffffffff');
    expect(Serdes.Short().serialize(258)!.toString('hex')).toBe('0102');
    expect(Serdes.Double().serialize(1.5)!.toString('hex')).toBe('3ff8000000000000');
    expect(Serdes.Float().deserialize(Serdes.Float().serialize(0.5))).toBe(0.5);
    expect(Serdes.BigInt().deserialize(Serdes.BigInt().serialize(2n ** 62n))).toBe(2n ** 62n);
  });

  it('round-trip strings, JSON, msgpack and bytes; null stays null', () => {
    for (const serde of [Serdes.String(), Serdes.Json(), Serdes.Msgpack(), Serdes.Long(), Serdes.Bytes()]) {
      expect(serde.serialize(null)).toBeNull();
      expect(serde.deserialize(null)).toBeNull();
    }
    expect(Serdes.String().deserialize(Serdes.String().serialize('héllo'))).toBe('héllo');
    expect(Serdes.Json().deserialize(Serdes.Json().serialize({ a: [1, 'x'] }))).toEqual({ a: [1, 'x'] });
    const date = new Date(5);
    expect(Serdes.Msgpack().deserialize(Serdes.Msgpack().serialize({ d: date, n: 1n ** 3n, s: 'x' }))).toEqual({ d: date, n: 1n, s: 'x' });
    expect(Serdes.Bytes().serialize(Buffer.from([1, 2]))).toEqual(Buffer.from([1, 2]));
  });

  it('reject values of the wrong type and malformed bytes with SerdeError', () => {
    expect(() => Serdes.String().serialize(5 as unknown as string)).toThrow(new SerdeError('the string serde cannot serialize a value of type number'));
    expect(() => Serdes.Long().serialize(1.5)).toThrow(SerdeError);
    expect(() => Serdes.Long().deserialize(Buffer.alloc(3))).toThrow('the long serde expects 8 bytes but got 3');
    expect(() => Serdes.Json().deserialize(Buffer.from('{x'))).toThrow(/invalid JSON/);
  });

  it('are found by name for config files and flags', () => {
    expect(serdeByName('STRING')).toBe(Serdes.String());
    expect(serdeByName('long')).toBe(Serdes.Long());
    expect(serdeByName('nope')).toBeUndefined();
  });

  it('Serdes.from builds a custom serde that keeps null as null', () => {
    const upper = Serdes.from<string>((s) => Buffer.from(s.toUpperCase()), (b) => b.toString().toLowerCase(), 'shout');
    expect(upper.serialize('ab')!.toString()).toBe('AB');
    expect(upper.deserialize(Buffer.from('AB'))).toBe('ab');
    expect(upper.serialize(null)).toBeNull();
  });
});
