/**
 * The DSL check on a real broker: a TypeScript topology with Serdes.Avro / Protobuf / JsonSchema reads
 * records an independent producer wrote in the Confluent wire format, aggregates them, writes with its own
 * registered schema, and an independent consumer decodes the output with that schema. A record without the
 * magic byte goes to the dead-letter topic.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { framed, latestSchema, registerSchema, runUntilIdleOnKafka } from './helpers.js';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { Consumed, Grouped, Materialized, Produced, Serdes, StreamsBuilder, type Serde } from '../../src/index.js';
import { avro, protobuf } from '../../src/serde/registry/index.js';
import { createTopics, readRecords, testKafka, uniqueTopic } from '../kafka/helpers.js';

const url = inject('registryUrl');
const stateRoot = mkdtempSync(join(tmpdir(), 'kstream-registry-dsl-'));
afterAll(() => rmSync(stateRoot, { recursive: true, force: true }));

interface Order {
  id: number;
  item: string;
  qty: number;
}
interface Total {
  item: string;
  total: number;
}



const ORDERS: Order[] = [
  { id: 1, item: 'tea', qty: 2 },
  { id: 2, item: 'jam', qty: 1 },
  { id: 3, item: 'tea', qty: 3 },
];

const TOTAL_AVRO = { type: 'record', name: 'Total', fields: [{ name: 'item', type: 'string' }, { name: 'total', type: 'int' }] };
const ORDER_PROTO = 'syntax = "proto3";\nmessage Order { int64 id = 1; string item = 2; int32 qty = 3; }\n';
const TOTAL_PROTO = 'syntax = "proto3";\nmessage Total { string item = 1; int32 total = 2; }\n';
const TOTAL_JSON = { type: 'object', properties: { item: { type: 'string' }, total: { type: 'integer' } }, required: ['item', 'total'] };

interface Case {
  name: string;
  input(topic: string): Promise<Buffer[]>;
  serdes(): { in: Serde<Order>; out: Serde<Total> };
  decode(schema: string, bytes: Buffer): Total;
}

const CASES: Case[] = [
  {
    name: 'Avro',
    async input(topic) {
      const schema = { type: 'record', name: 'Order', fields: [{ name: 'id', type: 'long' }, { name: 'item', type: 'string' }, { name: 'qty', type: 'int' }] };
      const id = await registerSchema(`${topic}-value`, JSON.stringify(schema));
      return ORDERS.map((o) => framed(id, avro().Type.forSchema(schema as never).toBuffer(o)));
    },
    serdes: () => ({ in: Serdes.Avro<Order>({ registry: url }), out: Serdes.Avro<Total>({ registry: url, schema: TOTAL_AVRO as never }) }),
    decode: (schema, bytes) => ({ ...(avro().Type.forSchema(JSON.parse(schema)).fromBuffer(bytes.subarray(5)) as Total) }),
  },
  {
    name: 'Protobuf',
    async input(topic) {
      const id = await registerSchema(`${topic}-value`, ORDER_PROTO, 'PROTOBUF');
      const type = protobuf().parse(ORDER_PROTO, { keepCase: true }).root.lookupType('Order');
      return ORDERS.map((o) => framed(id, type.encode(type.fromObject(o)).finish(), [0]));
    },
    serdes: () => ({ in: Serdes.Protobuf<Order>({ registry: url }), out: Serdes.Protobuf<Total>({ registry: url, schema: TOTAL_PROTO }) }),
    decode: (schema, bytes) => {
      const type = protobuf().parse(schema, { keepCase: true }).root.lookupType('Total');
      expect(bytes[5]).toBe(0);
      return type.toObject(type.decode(bytes.subarray(6))) as Total;
    },
  },
  {
    name: 'JSON Schema',
    async input(topic) {
      const schema = { type: 'object', properties: { id: { type: 'integer' }, item: { type: 'string' }, qty: { type: 'integer' } } };
      const id = await registerSchema(`${topic}-value`, JSON.stringify(schema), 'JSON');
      return ORDERS.map((o) => framed(id, Buffer.from(JSON.stringify(o))));
    },
    serdes: () => ({ in: Serdes.JsonSchema<Order>({ registry: url }), out: Serdes.JsonSchema<Total>({ registry: url, schema: TOTAL_JSON }) }),
    decode: (_schema, bytes) => JSON.parse(bytes.subarray(5).toString()) as Total,
  },
];

describe.each(CASES)('DSL $name serdes on a real broker', (c) => {
  it('read independent records, aggregate, write with the own registered schema; a bad record goes to the DLQ', async () => {
    const input = uniqueTopic('sr-dsl-in');
    const output = uniqueTopic('sr-dsl-out');
    const appId = `sr-dsl-${output}`;
    await createTopics(input, output, `${appId}-dlq`);
    const values = await c.input(input);
    const producer = testKafka('registry-dsl-producer').producer();
    await producer.connect();
    await producer.send({
      topic: input,
      messages: [...values.map((value, i) => ({ key: ORDERS[i]!.item, value })), { key: 'bad', value: Buffer.from('{"not":"framed"}') }],
    });
    await producer.disconnect();

    const serdes = c.serdes();
    const builder = new StreamsBuilder();
    builder
      .stream(input, Consumed.with(Serdes.String(), serdes.in))
      .map((_k, o) => [o.item, o.qty] as [string, number])
      .groupByKey(Grouped.with(Serdes.String(), Serdes.Integer()))
      .aggregate(() => 0, (_item, qty, total) => total + qty, Materialized.with(Serdes.String(), Serdes.Integer()))
      .toStream()
      .mapValues((total, item) => ({ item: item!, total }))
      .to(output, Produced.with(Serdes.String(), serdes.out));
    await runUntilIdleOnKafka(builder.build(), appId, stateRoot);

    const latest = await latestSchema(`${output}-value`);
    const last: Record<string, Total> = {};
    for (const r of await readRecords(output, { count: 2, timeoutMs: 60_000 })) {
      expect(r.valueBytes!.readInt32BE(1)).toBe(latest.id);
      last[r.key!] = c.decode(latest.schema, r.valueBytes!);
    }
    expect(last).toEqual({ tea: { item: 'tea', total: 5 }, jam: { item: 'jam', total: 1 } });
    const dlq = await readRecords(`${appId}-dlq`, { count: 1, timeoutMs: 60_000 });
    expect(dlq[0]!.value).toBe('{"not":"framed"}');
    const message = dlq[0]!.headers!['__streams.errors.message']!.toString();
    expect(message).toContain('unknown magic byte 123');
  }, 180_000);
});
