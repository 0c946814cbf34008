import { registerSchema } from './helpers.js';
import { describe, expect, inject, it } from 'vitest';
import { SchemaRegistryClient, SchemaRegistryError, Serdes, SerdeError } from '../../src/index.js';
import { avro, protobuf } from '../../src/serde/registry/index.js';
import type { Schema as AvroSchema } from 'avsc';
import { registryConfigFromProperties } from '../../src/serde/registry/client.js';
import { registryRowSerde } from '../../src/sql/formats/registry-rows.js';
import { BIGINT, DATE, TIME, decimal } from '../../src/sql/types/sql-type.js';
import { Decimal } from '../../src/sql/types/decimal.js';

const url = inject('registryUrl');
let seq = 0;
const topic = (p: string): string => `${p}-${process.pid}-${Date.now().toString(36)}-${seq++}`;


const ORDER: AvroSchema = { type: 'record', name: 'Order', namespace: 'shop', fields: [{ name: 'id', type: 'long' }, { name: 'item', type: 'string' }, { name: 'qty', type: ['null', 'int'], default: null }] };

describe('Avro serde against a real registry', () => {
  it('registers its schema under <topic>-value on the first write and round-trips typed values', async () => {
    const t = topic('avro-orders');
    const serde = Serdes.Avro<{ id: number; item: string; qty: number | null }>({ registry: url, schema: ORDER });
    const bytes = serde.serialize({ id: 7, item: 'tea', qty: 2 }, t)!;
    const latest = (await (await fetch(`${url}/subjects/${t}-value/versions/latest`)).json()) as { id: number; schema: string };
    expect(bytes[0]).toBe(0);
    expect(bytes.readInt32BE(1)).toBe(latest.id);
    expect(JSON.parse(latest.schema).name).toBe('Order');
    // an independent decoder: the payload after the 5-byte header is plain Avro binary of the registered schema
    expect(avro().Type.forSchema(JSON.parse(latest.schema)).fromBuffer(bytes.subarray(5))).toMatchObject({ id: 7, item: 'tea', qty: 2 });
    // a reader with no schema of its own decodes with the writer's schema found by id
    const reader = Serdes.Avro<Record<string, unknown>>({ registry: url });
    expect({ ...reader.deserialize(bytes, t) }).toEqual({ id: 7, item: 'tea', qty: 2 });
    expect(serde.serialize(null, t)).toBeNull();
  });

  it('reads records written by another writer (bytes built by hand) and resolves them to its own reader schema', async () => {
    const t = topic('avro-evolve');
    const v1 = { type: 'record', name: 'Order', namespace: 'shop', fields: [{ name: 'id', type: 'long' }, { name: 'item', type: 'string' }] };
    const id = await registerSchema(`${t}-value`, JSON.stringify(v1));
    const payload = avro().Type.forSchema(v1 as never).toBuffer({ id: 1, item: 'cake' });
    const record = Buffer.concat([Buffer.from([0]), Buffer.from([id >>> 24, (id >>> 16) & 255, (id >>> 8) & 255, id & 255]), payload]);
    const serde = Serdes.Avro<Record<string, unknown>>({ registry: url, schema: ORDER });
    expect({ ...serde.deserialize(record, t) }).toEqual({ id: 1, item: 'cake', qty: null });
  });

  it('writes with a given subject version or id instead of registering', async () => {
    const t = topic('avro-given');
    const id = await registerSchema(`${t}-value`, JSON.stringify(ORDER));
    const byVersion = Serdes.Avro({ registry: url, version: 1 });
    expect(byVersion.serialize({ id: 1, item: 'x', qty: null }, t)!.readInt32BE(1)).toBe(id);
    const byId = Serdes.Avro({ registry: url, id });
    expect(byId.serialize({ id: 1, item: 'x', qty: null }, 'any-topic')!.readInt32BE(1)).toBe(id);
  });

  it('errors a user can cause: one line each', async () => {
    const t = topic('avro-errors');
    expect(() => Serdes.Avro({ registry: url, autoRegister: false, schema: ORDER }).serialize({ id: 1, item: 'x', qty: null }, t)).toThrow(
      new RegExp(`^schema registry ${url.replace(/[/.]/g, '\\$&')}: subject '${t}-value' not found \\(40401\\)`),
    );
    expect(() => Serdes.Avro({ registry: url }).deserialize(Buffer.from([0, 0x7f, 0, 0, 1, 2]))).toThrow(/schema id 2130706433 not found \(40403\)/);
    expect(() => Serdes.Avro({ registry: url }).deserialize(Buffer.from('{"id":1}'))).toThrow('avro: unknown magic byte 123');
    expect(() => Serdes.Avro({ registry: { url: 'http://127.0.0.1:9', timeoutMs: 2000, retryBackoffMs: 50 } }).deserialize(Buffer.from([0, 0, 0, 0, 1, 2]))).toThrow(
      /^schema registry unreachable \(schema id 1, 4 attempts\): http:\/\/127\.0\.0\.1:9: .*ECONNREFUSED/,
    );
    // incompatible: BACKWARD compatibility on the subject refuses a new required field without default
    await fetch(`${url}/config/${t}-value`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ compatibility: 'BACKWARD' }) });
    Serdes.Avro({ registry: url, schema: ORDER }).serialize({ id: 1, item: 'x', qty: null }, t);
    const incompatible: AvroSchema = { ...(ORDER as { fields: object[] }), fields: [...(ORDER as { fields: object[] }).fields, { name: 'price', type: 'double' }] } as AvroSchema;
    let err: unknown;
    try {
      Serdes.Avro({ registry: url, schema: incompatible }).serialize({ id: 1, item: 'x', qty: null, price: 1 }, t);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SchemaRegistryError);
    expect(err).toBeInstanceOf(SerdeError);
    expect((err as Error).message).toContain(`subject '${t}-value': the schema is incompatible with the subject's earlier versions (409)`);
    expect((err as Error).message).not.toContain('\n');
    expect(() => Serdes.Avro({ registry: url, schema: ORDER }).serialize({ id: 'x' } as never, t)).toThrow(/^avro: cannot write the value with schema id \d+/);
  });
});

const PROTO = `syntax = "proto3";
package shop;
message Other { string x = 1; }
message Order {
  int64 id = 1;
  string item = 2;
  int32 qty = 3;
  message Line { string sku = 1; }
  repeated Line lines = 4;
}`;

describe('Protobuf serde against a real registry', () => {
  it('writes the message indexes of the message type (here [1]) and reads them back', async () => {
    const t = topic('proto-orders');
    const serde = Serdes.Protobuf({ registry: url, schema: PROTO, messageName: 'Order' });
    const bytes = serde.serialize({ id: 9, item: 'tea', qty: 3, lines: [{ sku: 'a' }] }, t)!;
    const latest = (await (await fetch(`${url}/subjects/${t}-value/versions/latest`)).json()) as { id: number; schemaType: string };
    expect(latest.schemaType).toBe('PROTOBUF');
    expect(bytes.readInt32BE(1)).toBe(latest.id);
    expect([...bytes.subarray(5, 7)]).toEqual([2, 2]);
    // independent decode of the payload with protobufjs
    const Order = protobuf().parse(PROTO, { keepCase: true }).root.lookupType('shop.Order');
    expect(Order.toObject(Order.decode(bytes.subarray(7)), { longs: Number })).toEqual({ id: 9, item: 'tea', qty: 3, lines: [{ sku: 'a' }] });
    expect(Serdes.Protobuf({ registry: url }).deserialize(bytes)).toEqual({ id: 9, item: 'tea', qty: 3, lines: [{ sku: 'a' }] });
  });

  it('the first message is written with the single byte 0; a record written by hand with [0] decodes', async () => {
    const t = topic('proto-first');
    const serde = Serdes.Protobuf({ registry: url, schema: PROTO });
    const bytes = serde.serialize({ x: 'hi' }, t)!;
    expect(bytes[5]).toBe(0);
    const id = bytes.readInt32BE(1);
    const Other = protobuf().parse(PROTO, { keepCase: true }).root.lookupType('shop.Other');
    const byHand = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), Buffer.from([0]), Other.encode(Other.fromObject({ x: 'yo' })).finish()]);
    byHand.writeInt32BE(id, 1);
    expect(Serdes.Protobuf({ registry: url }).deserialize(byHand)).toEqual({ x: 'yo' });
    // nested message Order.Line is at [1, 0]
    const Line = protobuf().parse(PROTO, { keepCase: true }).root.lookupType('shop.Order.Line');
    const nested = Buffer.concat([bytes.subarray(0, 5), Buffer.from([4, 2, 0]), Line.encode(Line.fromObject({ sku: 'z' })).finish()]);
    expect(Serdes.Protobuf({ registry: url }).deserialize(nested)).toEqual({ sku: 'z' });
  });
});

describe('JSON Schema serde against a real registry', () => {
  const schema = { type: 'object', properties: { id: { type: 'integer' }, item: { type: 'string' } }, required: ['id'] };
  it('validates on write, writes header + JSON text, reads back', async () => {
    const t = topic('json-orders');
    const serde = Serdes.JsonSchema<{ id: number; item?: string }>({ registry: url, schema });
    const bytes = serde.serialize({ id: 3, item: 'jam' }, t)!;
    const latest = (await (await fetch(`${url}/subjects/${t}-value/versions/latest`)).json()) as { id: number; schemaType: string };
    expect(latest.schemaType).toBe('JSON');
    expect(bytes.readInt32BE(1)).toBe(latest.id);
    expect(JSON.parse(bytes.subarray(5).toString())).toEqual({ id: 3, item: 'jam' });
    expect(Serdes.JsonSchema({ registry: url }).deserialize(bytes)).toEqual({ id: 3, item: 'jam' });
    expect(() => serde.serialize({ item: 'no id' } as never, t)).toThrow(/^json_sr: the value to write does not match schema id \d+: \/ must have required property 'id'$/);
    // an Avro reader refuses a JSON schema id
    expect(() => Serdes.Avro({ registry: url }).deserialize(bytes)).toThrow(`avro: schema id ${latest.id} is a JSON schema, not AVRO`);
  });
});

describe('registry client settings', () => {
  it('reads Confluent client properties: url list, basic auth', () => {
    const c = registryConfigFromProperties({ 'schema.registry.url': 'http://a:1, http://b:2', 'basic.auth.user.info': 'u:p' });
    expect(c).toEqual({ url: ['http://a:1', 'http://b:2'], basicAuth: 'u:p', tls: undefined, timeoutMs: undefined });
    expect(registryConfigFromProperties({})).toBeUndefined();
    expect(() => new SchemaRegistryClient({ url: 'ftp://x' })).toThrow("schema.registry.url must start with http:// or https://, got 'ftp://x'");
  });
  it('falls over to the next URL when the first is unreachable, and caches ids', () => {
    const c = new SchemaRegistryClient({ url: ['http://127.0.0.1:9', url], timeoutMs: 2000 });
    expect(c.subjects().length).toBeGreaterThan(0);
  });
});

describe('SQL rows against a real registry', () => {
  it('PROTOBUF DECIMAL, DATE, TIME and BIGINT beyond 2^53: the sink schema (Confluent/Google types) registers and round-trips', () => {
    const t = topic('sql-proto-types');
    const columns = [
      { name: 'AMOUNT', type: decimal(6, 2) },
      { name: 'D', type: DATE },
      { name: 'T', type: TIME },
      { name: 'N', type: BIGINT },
    ];
    const serde = registryRowSerde(columns, { format: 'PROTOBUF', registry: { url } }, false);
    const row = [Decimal.parse('-12.50'), 19000, 3_723_004, 9_223_372_036_854_775_807n];
    const bytes = serde.serialize(row, t)!;
    const registered = new SchemaRegistryClient({ url }).version(`${t}-value`);
    expect(bytes.readInt32BE(1)).toBe(registered.id);
    expect(registered.schema).toContain('confluent.type.Decimal AMOUNT = 1');
    expect(registryRowSerde(columns, { format: 'PROTOBUF', registry: { url } }, false).deserialize(bytes, t)).toEqual(row);
  });
});
