/**
 * The check: records written by an independent producer in the Confluent wire format (bytes built here
 * with avsc / protobufjs / JSON, schemas registered with plain HTTP) are read by CREATE STREAM with inferred
 * columns, aggregated by a CTAS on a real broker, and the sink is read back by an independent consumer (kafkajs)
 * with the schema kstream registered under `<sink topic>-value`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { framed, latestSchema, registerSchema, runUntilIdleOnKafka } from './helpers.js';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { avro, protobuf } from '../../src/serde/registry/index.js';
import { SqlSession } from '../../src/sql/api.js';
import { buildScriptTopology, planScript } from '../../src/sql/api.js';
import { createTopics, readRecords, testKafka, uniqueTopic } from '../kafka/helpers.js';

const url = inject('registryUrl');
const stateRoot = mkdtempSync(join(tmpdir(), 'kstream-registry-sql-'));
afterAll(() => rmSync(stateRoot, { recursive: true, force: true }));



const ORDERS = [
  { id: 1, item: 'tea', qty: 2 },
  { id: 2, item: 'jam', qty: 1 },
  { id: 3, item: 'tea', qty: 3 },
  { id: 4, item: 'cake', qty: 7 },
];
const EXPECTED = { tea: { N: 2, TOTAL: 5 }, jam: { N: 1, TOTAL: 1 }, cake: { N: 1, TOTAL: 7 } };

interface Producer {
  format: 'AVRO' | 'PROTOBUF' | 'JSON_SR';
  /** Registers the input schema and encodes the records. */
  write(topic: string): Promise<Buffer[]>;
  /** Decodes a sink record with the registered schema (fetched by its id), independently of kstream. */
  read(schema: { schema: string }, record: Buffer): { N: number; TOTAL: number };
}

const PRODUCERS: Producer[] = [
  {
    format: 'AVRO',
    async write(topic) {
      const schema = { type: 'record', name: 'Order', namespace: 'shop', fields: [{ name: 'id', type: 'long' }, { name: 'item', type: 'string' }, { name: 'qty', type: 'int' }] };
      const id = await registerSchema(`${topic}-value`, JSON.stringify(schema));
      const type = avro().Type.forSchema(schema as never);
      return ORDERS.map((o) => framed(id, type.toBuffer(o)));
    },
    read(schema, record) {
      const v = avro().Type.forSchema(JSON.parse(schema.schema)).fromBuffer(record.subarray(5)) as { N: number; TOTAL: number };
      return { N: Number(v.N), TOTAL: Number(v.TOTAL) };
    },
  },
  {
    format: 'PROTOBUF',
    async write(topic) {
      const text = 'syntax = "proto3";\npackage shop;\nmessage Order { int64 id = 1; string item = 2; int32 qty = 3; }\n';
      const id = await registerSchema(`${topic}-value`, text, 'PROTOBUF');
      const type = protobuf().parse(text, { keepCase: true }).root.lookupType('shop.Order');
      return ORDERS.map((o) => framed(id, type.encode(type.fromObject(o)).finish(), [0]));
    },
    read(schema, record) {
      expect(record[5]).toBe(0); // message indexes [0]
      const root = protobuf().parse(schema.schema, { keepCase: true }).root;
      const type = root.nestedArray.find((n) => n instanceof protobuf().Type) as import('protobufjs').Type;
      const v = type.toObject(type.decode(record.subarray(6)), { longs: Number, defaults: true });
      return { N: v.N, TOTAL: v.TOTAL };
    },
  },
  {
    format: 'JSON_SR',
    async write(topic) {
      const schema = { type: 'object', properties: { id: { type: 'integer' }, item: { type: 'string' }, qty: { type: 'integer' } } };
      const id = await registerSchema(`${topic}-value`, JSON.stringify(schema), 'JSON');
      return ORDERS.map((o) => framed(id, Buffer.from(JSON.stringify(o))));
    },
    read(_schema, record) {
      return JSON.parse(record.subarray(5).toString()) as { N: number; TOTAL: number };
    },
  },
];

describe.each(PRODUCERS)('SQL over $format topics written by an independent producer, on a real broker', (p) => {
  it('CREATE STREAM with inferred columns, CTAS aggregate, sink read back with the registered schema', async () => {
    const input = uniqueTopic(`sr-${p.format.toLowerCase()}-in`);
    const output = uniqueTopic(`sr-${p.format.toLowerCase()}-out`);
    await createTopics(input, output);
    const values = await p.write(input);
    const producer = testKafka('registry-producer').producer();
    await producer.connect();
    await producer.send({ topic: input, messages: values.map((value, i) => ({ key: ORDERS[i]!.item, value, timestamp: String(1000 + i) })) });
    await producer.disconnect();

    const session = new SqlSession({ schemaRegistry: { url } });
    const statements = session.execute(
      `CREATE STREAM ORDERS WITH (KAFKA_TOPIC='${input}', KEY_FORMAT='KAFKA', VALUE_FORMAT='${p.format}');
       CREATE TABLE TOTALS WITH (KAFKA_TOPIC='${output}', KEY_FORMAT='KAFKA', VALUE_FORMAT='${p.format}') AS
         SELECT ITEM, COUNT(*) AS N, SUM(QTY) AS TOTAL FROM ORDERS GROUP BY ITEM;`,
      'orders.sql',
    );
    const orders = session.metastore.get('ORDERS')!;
    expect(orders.schema.value.map((c) => `${c.name} ${c.type.base}`)).toEqual(['ID BIGINT', 'ITEM STRING', `QTY ${p.format === 'JSON_SR' ? 'BIGINT' : 'INTEGER'}`]);
    const script = planScript(statements);
    await runUntilIdleOnKafka(buildScriptTopology(script.queries), `sr-${output}`, stateRoot);

    const latest = await latestSchema(`${output}-value`);
    expect(latest.schemaType ?? 'AVRO').toBe(p.format === 'JSON_SR' ? 'JSON' : p.format);
    if (p.format === 'AVRO') expect(JSON.parse(latest.schema).name).toBe('KsqlDataSourceSchema');
    const records = await readRecords(output, { count: 3, timeoutMs: 60_000 });
    const last: Record<string, { N: number; TOTAL: number }> = {};
    for (const r of records) {
      expect(r.valueBytes![0]).toBe(0);
      expect(r.valueBytes!.readInt32BE(1)).toBe(latest.id);
      last[r.key!] = p.read(latest, r.valueBytes!);
    }
    expect(last).toEqual(EXPECTED);
  });
});
