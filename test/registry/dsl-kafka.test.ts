/**
 * The DSL check on a real broker: a TypeScript topology with Serdes.Avro / Protobuf / JsonSchema reads
 * records an independent producer (Apicurio's Java serializers, java-clients.ts) wrote in the Confluent wire
 * format, aggregates them, writes with its own registered schema, and Apicurio's Java deserializer reads the output
 * by its schema id (Protobuf: told the message name). A record without the
 * magic byte goes to the dead-letter topic.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latestSchema, produceOrders, runUntilIdleOnKafka } from './helpers.js';
import { consumeWithApicurio, type RegistryFormat } from './java-clients.js';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { Consumed, Grouped, Materialized, Produced, Serdes, StreamsBuilder, type Serde } from '../../src/index.js';
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
const TOTAL_PROTO = 'syntax = "proto3";\nmessage Total { string item = 1; int32 total = 2; }\n';
const TOTAL_JSON = { type: 'object', properties: { item: { type: 'string' }, total: { type: 'integer' } }, required: ['item', 'total'] };

interface Case {
  name: string;
  format: RegistryFormat;
  serdes(): { in: Serde<Order>; out: Serde<Total> };
}

const CASES: Case[] = [
  {
    name: 'Avro',
    format: 'AVRO',
    serdes: () => ({ in: Serdes.Avro<Order>({ registry: url }), out: Serdes.Avro<Total>({ registry: url, schema: TOTAL_AVRO as never }) }),
  },
  {
    name: 'Protobuf',
    format: 'PROTOBUF',
    serdes: () => ({ in: Serdes.Protobuf<Order>({ registry: url }), out: Serdes.Protobuf<Total>({ registry: url, schema: TOTAL_PROTO }) }),
  },
  {
    name: 'JSON Schema',
    format: 'JSON_SR',
    serdes: () => ({ in: Serdes.JsonSchema<Order>({ registry: url }), out: Serdes.JsonSchema<Total>({ registry: url, schema: TOTAL_JSON }) }),
  },
];

/** The output records as values, read by Apicurio's deserializer (Protobuf: told the message, Total; see java-clients.ts). */
async function readTotals(c: Case, output: string, raw: ReadonlyArray<{ key?: string | null; valueBytes?: Buffer | null }>): Promise<Array<{ key: string; value: Total }>> {
  if (c.format === 'PROTOBUF') for (const r of raw) expect(r.valueBytes![5]).toBe(0); // message indexes [0]
  return (await consumeWithApicurio(url, output, c.format, raw.length, 'Total')).map((r) => ({ key: r.key!, value: r.value as Total }));
}

describe.each(CASES)('DSL $name serdes on a real broker', (c) => {
  it('read independent records, aggregate, write with the own registered schema; a bad record goes to the DLQ', async () => {
    const input = uniqueTopic('sr-dsl-in');
    const output = uniqueTopic('sr-dsl-out');
    const appId = `sr-dsl-${output}`;
    await createTopics(input, output, `${appId}-dlq`);
    await produceOrders(input, c.format, ORDERS);
    const producer = testKafka('registry-dsl-producer').producer();
    await producer.connect();
    await producer.send({ topic: input, messages: [{ key: 'bad', value: Buffer.from('{"not":"framed"}') }] });
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
    const raw = await readRecords(output, { count: 2, timeoutMs: 60_000 });
    for (const r of raw) expect(r.valueBytes!.readInt32BE(1)).toBe(latest.id);
    const last: Record<string, Total> = {};
    for (const r of await readTotals(c, output, raw)) last[r.key] = r.value;
    expect(last).toEqual({ tea: { item: 'tea', total: 5 }, jam: { item: 'jam', total: 1 } });
    const dlq = await readRecords(`${appId}-dlq`, { count: 1, timeoutMs: 60_000 });
    expect(dlq[0]!.value).toBe('{"not":"framed"}');
    const message = dlq[0]!.headers!['__streams.errors.message']!.toString();
    expect(message).toContain('unknown magic byte 123');
  }, 300_000);
});
