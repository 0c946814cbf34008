import { describe, expect, it } from 'vitest';
import { keySerde, valueSerde } from '../../../src/sql/serde/formats.js';
import { parseJson, JsonNumber } from '../../../src/sql/serde/json-text.js';
import { windowedSerde } from '../../../src/sql/serde/windowed.js';
import { SerdeError } from '../../../src/serde/serde.js';
import { Decimal } from '../../../src/sql/types/decimal.js';
import { array, BIGINT, BOOLEAN, BYTES, DATE, decimal, DOUBLE, INTEGER, map, STRING, struct, TIME, TIMESTAMP } from '../../../src/sql/types/sql-type.js';

const ALL = [
  { name: 'I', type: INTEGER },
  { name: 'L', type: BIGINT },
  { name: 'D', type: DOUBLE },
  { name: 'M', type: decimal(20, 3) },
  { name: 'S', type: STRING },
  { name: 'B', type: BOOLEAN },
  { name: 'TS', type: TIMESTAMP },
  { name: 'DT', type: DATE },
  { name: 'TM', type: TIME },
  { name: 'BY', type: BYTES },
  { name: 'A', type: array(INTEGER) },
  { name: 'MP', type: map(STRING, DOUBLE) },
  { name: 'ST', type: struct([{ name: 'X', type: STRING }]) },
];
const ROW = [1, 9007199254740993n, 1.5, Decimal.parse('12345678901234567.891'), 'héllo, "q"', true, 1_600_000_000_000, 18_000, 3_600_000, Buffer.from([1, 2, 255]), [1, null], new Map([['k', 2.5]]), { X: 'y' }];

describe('JSON', () => {
  const serde = valueSerde(ALL, { format: 'JSON' });
  it('writes ksqlDB JSON: exact numbers, epoch times, base64 bytes', () => {
    const text = serde.serialize(ROW)!.toString();
    expect(text).toBe(
      '{"I":1,"L":9007199254740993,"D":1.5,"M":12345678901234567.891,"S":"héllo, \\"q\\"","B":true,"TS":1600000000000,"DT":18000,"TM":3600000,"BY":"AQL/","A":[1,null],"MP":{"k":2.5},"ST":{"X":"y"}}',
    );
  });
  it('round-trips every type exactly', () => {
    const back = serde.deserialize(serde.serialize(ROW))!;
    expect(back[1]).toBe(9007199254740993n);
    expect((back[3] as Decimal).toString()).toBe('12345678901234567.891');
    expect(back.slice(4)).toEqual(ROW.slice(4));
  });
  it('matches fields case-insensitively and coerces numbers and strings', () => {
    const r = valueSerde([{ name: 'ID', type: BIGINT }, { name: 'Price', type: decimal(5, 2) }, { name: 'NAME', type: STRING }], { format: 'JSON' });
    expect(r.deserialize(Buffer.from('{"id":"7","price":1.5,"Name":{"a":1}}'))).toEqual([7n, Decimal.parse('1.50'), '{"a":1}']);
    expect(r.deserialize(Buffer.from('{}'))).toEqual([null, null, null]);
    expect(r.deserialize(null)).toBeNull();
    expect(r.serialize(null)).toBeNull();
  });
  it('supports unwrapped single values and rejects bad JSON', () => {
    const single = valueSerde([{ name: 'V', type: INTEGER }], { format: 'JSON', wrapSingleValue: false });
    expect(single.serialize([5])!.toString()).toBe('5');
    expect(single.deserialize(Buffer.from('6'))).toEqual([6]);
    expect(() => serde.deserialize(Buffer.from('{oops'))).toThrow(SerdeError);
    expect(() => serde.deserialize(Buffer.from('[1]'))).toThrow(SerdeError);
  });
  it('writes single key columns unwrapped and several as an object', () => {
    expect(keySerde([{ name: 'K', type: STRING }], { format: 'JSON' }).serialize(['a'])!.toString()).toBe('"a"');
    const multi = keySerde([{ name: 'A', type: INTEGER }, { name: 'B', type: STRING }], { format: 'JSON' });
    expect(multi.serialize([1, 'x'])!.toString()).toBe('{"A":1,"B":"x"}');
    expect(multi.deserialize(Buffer.from('{"A":1,"B":"x"}'))).toEqual([1, 'x']);
  });
  it('parses large numbers exactly', () => {
    expect(parseJson('{"a":123456789012345678901}')).toEqual({ a: new JsonNumber('123456789012345678901') });
    expect(parseJson('{"a":1.5}')).toEqual({ a: 1.5 });
  });
});

describe('DELIMITED', () => {
  const cols = [
    { name: 'A', type: INTEGER },
    { name: 'B', type: STRING },
    { name: 'C', type: DOUBLE },
    { name: 'D', type: decimal(4, 2) },
    { name: 'E', type: BOOLEAN },
  ];
  it('writes CSV with quoting and Java number formatting', () => {
    const s = valueSerde(cols, { format: 'DELIMITED' });
    expect(s.serialize([1, 'a,b', 2.0, Decimal.parse('1.50'), true])!.toString()).toBe('1,"a,b",2.0,1.50,true');
    expect(s.serialize([null, 'say "hi"', null, null, false])!.toString()).toBe(',"say ""hi""",,,false');
  });
  it('reads CSV, empty fields as NULL', () => {
    const s = valueSerde(cols, { format: 'DELIMITED' });
    expect(s.deserialize(Buffer.from('1,"a,b",2.5,1.5,true'))).toEqual([1, 'a,b', 2.5, Decimal.parse('1.50'), true]);
    expect(s.deserialize(Buffer.from(',,,,'))).toEqual([null, null, null, null, null]);
    expect(() => s.deserialize(Buffer.from('1,2'), 't')).toThrow('Column count mismatch on deserialization. topic: t, expected: 5, got: 2');
  });
  it('uses a custom delimiter', () => {
    const s = valueSerde(cols.slice(0, 2), { format: 'DELIMITED', delimiter: '\t' });
    expect(s.serialize([1, 'x'])!.toString()).toBe('1\tx');
    expect(s.deserialize(Buffer.from('2\ty'))).toEqual([2, 'y']);
  });
});

describe('KAFKA', () => {
  it('uses Kafka primitive encodings', () => {
    expect([...keySerde([{ name: 'K', type: INTEGER }], { format: 'KAFKA' }).serialize([258])!]).toEqual([0, 0, 1, 2]);
    expect([...keySerde([{ name: 'K', type: BIGINT }], { format: 'KAFKA' }).serialize([-1n])!]).toEqual([255, 255, 255, 255, 255, 255, 255, 255]);
    expect(keySerde([{ name: 'K', type: DOUBLE }], { format: 'KAFKA' }).serialize([1.5])!.toString('hex')).toBe('3ff8000000000000');
    expect(valueSerde([{ name: 'V', type: STRING }], { format: 'KAFKA' }).serialize(['é'])!.toString('hex')).toBe('c3a9');
  });
  it('round-trips and checks sizes', () => {
    const s = valueSerde([{ name: 'V', type: BIGINT }], { format: 'KAFKA' });
    expect(s.deserialize(s.serialize([123n]))).toEqual([123n]);
    expect(() => s.deserialize(Buffer.from([1, 2]))).toThrow('Size of data received by LongDeserializer is not 8');
    expect(s.serialize([null])).toBeNull();
  });
});

describe('NONE and windowed keys', () => {
  it('NONE writes nothing and reads no columns', () => {
    const s = keySerde([], { format: 'NONE' });
    expect(s.serialize([])).toBeNull();
    expect(s.deserialize(Buffer.from('x'))).toEqual([]);
  });
  it('appends the window start for time windows', () => {
    const w = windowedSerde(keySerde([{ name: 'K', type: STRING }], { format: 'KAFKA' }), { type: 'TUMBLING', sizeMs: 1000 });
    const bytes = w.serialize({ key: ['a'], window: { start: 5000, end: 6000 } })!;
    expect(bytes.toString('hex')).toBe('61' + '0000000000001388');
    expect(w.deserialize(bytes)).toEqual({ key: ['a'], window: { start: 5000, end: 6000 } });
  });
  it('appends end then start for session windows', () => {
    const w = windowedSerde(keySerde([{ name: 'K', type: INTEGER }], { format: 'KAFKA' }), { type: 'SESSION' });
    const bytes = w.serialize({ key: [1], window: { start: 10, end: 20 } })!;
    expect(bytes.toString('hex')).toBe('00000001' + '0000000000000014' + '000000000000000a');
    expect(w.deserialize(bytes)).toEqual({ key: [1], window: { start: 10, end: 20 } });
  });
});
