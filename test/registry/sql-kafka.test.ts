/**
 * The check: records written by an independent producer (Apicurio Registry's Java serdes in the Confluent
 * wire format, which register the Avro and Protobuf schemas themselves) are read by CREATE STREAM with inferred
 * columns, aggregated by a CTAS on a real broker, and the sink is read back by Apicurio's Java deserializers, which
 * find the schema kstream registered under `<sink topic>-value` by the record's id (Protobuf: told the message
 * name, ConnectDefault1, since Apicurio's deserializer skips Confluent's message indexes unread).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latestSchema, produceOrders, runUntilIdleOnKafka } from './helpers.js';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { SqlSession } from '../../src/sql/api.js';
import { buildScriptTopology, planScript } from '../../src/sql/api.js';
import { createTopics, readRecords, uniqueTopic } from '../kafka/helpers.js';
import { consumeWithApicurio, type RegistryFormat } from './java-clients.js';

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
const FORMATS: RegistryFormat[] = ['AVRO', 'PROTOBUF', 'JSON_SR'];

describe.each(FORMATS)('SQL over %s topics written by an independent producer, on a real broker', (format) => {
  it('CREATE STREAM with inferred columns, CTAS aggregate, sink read back by Apicurio\'s deserializer', async () => {
    const input = uniqueTopic(`sr-${format.toLowerCase()}-in`);
    const output = uniqueTopic(`sr-${format.toLowerCase()}-out`);
    await createTopics(input, output);
    await produceOrders(input, format, ORDERS);

    const session = new SqlSession({ schemaRegistry: { url } });
    const statements = session.execute(
      `CREATE STREAM ORDERS WITH (KAFKA_TOPIC='${input}', KEY_FORMAT='KAFKA', VALUE_FORMAT='${format}');
       CREATE TABLE TOTALS WITH (KAFKA_TOPIC='${output}', KEY_FORMAT='KAFKA', VALUE_FORMAT='${format}') AS
         SELECT ITEM, COUNT(*) AS N, SUM(QTY) AS TOTAL FROM ORDERS GROUP BY ITEM;`,
      'orders.sql',
    );
    const orders = session.metastore.get('ORDERS')!;
    expect(orders.schema.value.map((c) => `${c.name} ${c.type.base}`)).toEqual(['ID BIGINT', 'ITEM STRING', `QTY ${format === 'JSON_SR' ? 'BIGINT' : 'INTEGER'}`]);
    const script = planScript(statements);
    await runUntilIdleOnKafka(buildScriptTopology(script.queries), `sr-${output}`, stateRoot);

    const latest = await latestSchema(`${output}-value`);
    expect(latest.schemaType ?? 'AVRO').toBe(format === 'JSON_SR' ? 'JSON' : format);
    if (format === 'AVRO') expect(JSON.parse(latest.schema).name).toBe('KsqlDataSourceSchema');
    const raw = await readRecords(output, { count: 3, timeoutMs: 60_000 });
    for (const r of raw) {
      expect(r.valueBytes![0]).toBe(0);
      expect(r.valueBytes!.readInt32BE(1)).toBe(latest.id);
      if (format === 'PROTOBUF') expect(r.valueBytes![5]).toBe(0); // message indexes [0]: the schema's first message
    }
    const decoded = await consumeWithApicurio(url, output, format, raw.length);
    const last: Record<string, { N: number; TOTAL: number }> = {};
    for (const r of decoded) {
      const v = r.value as { N: number; TOTAL: number };
      last[r.key!] = { N: Number(v.N), TOTAL: Number(v.TOTAL) };
    }
    expect(last).toEqual(EXPECTED);
  }, 300_000);
});
