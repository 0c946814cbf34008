/**
 * AVRO, PROTOBUF, PROTOBUF_NOSR and JSON_SR in SQL against the in-process `mock://` registry (as ksql-test-runner
 * runs them): every supported SQL type through a sink and back, the sink schemas ksqlDB registers, inferred
 * columns, and the errors a user can cause.
 */
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../src/sql/errors.js';
import { SqlSession } from '../../src/sql/session.js';
import { queryTestDriver } from '../../src/sql/testrunner/query-test-driver.js';
import { runTestCase } from '../../src/sql/testrunner/runner.js';
import { registryClient } from '../../src/serde/registry/registry-serde.js';
import { parseInputFile, parseOutputFile } from '../../src/sql/testrunner/files.js';

let scope = 0;
const mock = (): string => `mock://registry-formats-${++scope}`;

const ALL_TYPES = `ID BIGINT KEY, NAME STRING, N INT, AMOUNT DECIMAL(6,2), D DATE, T TIME, TS TIMESTAMP, B BYTES, OK BOOLEAN, X DOUBLE,
  ST STRUCT<A INT, S STRING>, ARR ARRAY<INT>, M MAP<STRING, DOUBLE>`;
// JSON text, so that DECIMAL keeps its scale (12.50) as in ksql-test-runner's files
const ROW = '{"NAME": "tea", "N": 3, "AMOUNT": 12.50, "D": 19000, "T": 3600000, "TS": 1700000000123, "B": "AQID", "OK": true, "X": 1.25, "ST": {"A": 1, "S": "x"}, "ARR": [1, null, 3], "M": {"a": 1.5}}';
const PROTO_ROW = '{"NAME": "tea", "N": 3, "AMOUNT": 12.50, "D": 19000, "T": 3600000, "TS": 1700000000123, "B": "AQID", "OK": true, "X": 1.25, "ST": {"A": 1, "S": "x"}, "ARR": [1, 2, 3], "M": {"a": 1.5}}';
const PROTO_TYPES = `ID BIGINT KEY, NAME STRING, N INT, AMOUNT DECIMAL(6,2), D DATE, T TIME, TS TIMESTAMP, B BYTES, OK BOOLEAN, X DOUBLE, ST STRUCT<A INT, S STRING>, ARR ARRAY<INT>, M MAP<STRING, DOUBLE>`;

async function roundTrip(format: string, types: string, row: string, url = mock()) {
  // as in ksqlDB's test files, a Protobuf key is always a message: the single key column is an object
  const key = format.startsWith('PROTOBUF') ? '{"ID": 7}' : '7';
  const inputs = parseInputFile(`{"inputs": [{"topic": "in", "key": ${key}, "value": ${row}, "timestamp": 1}]}`);
  const outputs = parseOutputFile(`{"outputs": [{"topic": "OUT", "key": ${key}, "value": ${row}, "timestamp": 1}]}`);
  const result = await runTestCase(
    {
      name: format,
      statements: `CREATE STREAM S (${types}) WITH (KAFKA_TOPIC='in', FORMAT='${format}');\nCREATE STREAM OUT AS SELECT * FROM S;`,
      statementsFile: 'test.sql',
      inputs,
      outputs,
    },
    queryTestDriver,
    format === 'PROTOBUF_NOSR' ? {} : { schemaRegistry: { url } },
  );
  return { result, url };
}

describe('registry formats in SQL (mock registry)', () => {
  it('AVRO: every type through a sink and back; the sink registers ksqlDB schemas under OUT-key / OUT-value', async () => {
    const { result, url } = await roundTrip('AVRO', ALL_TYPES, ROW);
    expect(result.message ?? '').toBe('');
    expect(result.passed).toBe(true);
    const client = registryClient({ url });
    const value = JSON.parse(client.version('OUT-value').schema);
    expect(value.name).toBe('KsqlDataSourceSchema');
    expect(value.namespace).toBe('io.confluent.ksql.avro_schemas');
    const byName = Object.fromEntries((value.fields as { name: string; type: unknown; default: unknown }[]).map((f) => [f.name, f]));
    expect(byName.AMOUNT).toEqual({ name: 'AMOUNT', type: ['null', { type: 'bytes', logicalType: 'decimal', precision: 6, scale: 2 }], default: null });
    expect(byName.TS!.type).toEqual(['null', { type: 'long', logicalType: 'timestamp-millis' }]);
    expect(byName.D!.type).toEqual(['null', { type: 'int', logicalType: 'date' }]);
    expect(byName.ST!.type).toEqual(['null', { type: 'record', name: 'KsqlDataSourceSchema_ST', namespace: 'io.confluent.ksql.avro_schemas', fields: [
      { name: 'A', type: ['null', 'int'], default: null },
      { name: 'S', type: ['null', 'string'], default: null },
    ] }]);
    expect(byName.M!.type).toEqual(['null', { type: 'map', values: ['null', 'double'] }]);
    // a single key column is written unwrapped
    expect(JSON.parse(client.version('OUT-key').schema)).toEqual(['null', 'long']);
  });

  it('JSON_SR and PROTOBUF: the same round trip; PROTOBUF registers message ConnectDefault1', async () => {
    const json = await roundTrip('JSON_SR', ALL_TYPES, ROW);
    expect(json.result.message ?? '').toBe('');
    expect(json.result.passed).toBe(true);
    expect(registryClient({ url: json.url }).version('OUT-value').schemaType).toBe('JSON');
    const proto = await roundTrip('PROTOBUF', PROTO_TYPES, PROTO_ROW);
    expect(proto.result.message ?? '').toBe('');
    expect(proto.result.passed).toBe(true);
    const schema = registryClient({ url: proto.url }).version('OUT-value');
    expect(schema.schemaType).toBe('PROTOBUF');
    expect(schema.schema).toContain('message ConnectDefault1 {');
    expect(schema.schema).toContain('google.protobuf.Timestamp TS = 6;');
    // ksqlDB's (Confluent's) types for DECIMAL, DATE and TIME
    expect(schema.schema).toContain('confluent.type.Decimal AMOUNT = 3 [(confluent.field_meta) = { params: [{ key: "precision", value: "6" }, { key: "scale", value: "2" }] }];');
    expect(schema.schema).toContain('google.type.Date D = 4;');
    expect(schema.schema).toContain('google.type.TimeOfDay T = 5;');
    expect(schema.schema).toContain('import "confluent/type/decimal.proto";');
    const nosr = await roundTrip('PROTOBUF_NOSR', PROTO_TYPES, PROTO_ROW);
    expect(nosr.result.message ?? '').toBe('');
    expect(nosr.result.passed).toBe(true);
  });

  it('infers columns from the registry when the statement has none; VALUE_SCHEMA_ID picks a schema', () => {
    const url = mock();
    const client = registryClient({ url });
    const id = client.register('orders-value', {
      schema: JSON.stringify({ type: 'record', name: 'Order', fields: [
        { name: 'id', type: 'long' }, { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2 } },
        { name: 'tags', type: { type: 'array', items: 'string' } }, { name: 'note', type: ['null', 'string'], default: null },
      ] }),
      schemaType: 'AVRO',
      references: [],
    });
    client.register('orders-key', { schema: '"string"', schemaType: 'AVRO', references: [] });
    const session = new SqlSession({ schemaRegistry: { url } });
    session.execute("CREATE TABLE ORDERS WITH (KAFKA_TOPIC='orders', FORMAT='AVRO');");
    const t = session.metastore.get('ORDERS')!;
    expect(t.schema.key.map((c) => `${c.name} ${c.type.base}`)).toEqual(['ROWKEY STRING']);
    expect(t.schema.value.map((c) => `${c.name} ${c.type.base}`)).toEqual(['ID BIGINT', 'AMOUNT DECIMAL', 'TAGS ARRAY', 'NOTE STRING']);
    session.execute(`CREATE STREAM O2 WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='AVRO', VALUE_SCHEMA_ID=${id});`);
    expect(session.metastore.get('O2')!.valueFormat.schemaId).toBe(id);
  });

  it('BIGINT stays exact beyond 2^53 in AVRO, PROTOBUF, PROTOBUF_NOSR and JSON_SR (keys and values)', async () => {
    for (const format of ['AVRO', 'PROTOBUF', 'PROTOBUF_NOSR', 'JSON_SR']) {
      const row = '{"V": 9223372036854775807, "W": -9223372036854775808, "ARR": [9007199254740993]}';
      const { result } = await roundTrip(format, 'ID BIGINT KEY, V BIGINT, W BIGINT, ARR ARRAY<BIGINT>', row);
      expect(`${format}: ${result.message ?? 'passed'}`).toBe(`${format}: passed`);
    }
  });

  it('errors a user can cause are one positioned line', () => {
    const err = (sql: string, url?: string): string => {
      try {
        new SqlSession(url ? { schemaRegistry: { url } } : {}).execute(sql, 'x.sql');
      } catch (e) {
        if (e instanceof SqlError) return e.detail;
        throw e;
      }
      throw new Error('no error');
    };
    expect(err("CREATE STREAM S WITH (KAFKA_TOPIC='nope', VALUE_FORMAT='AVRO');", mock())).toBe(
      "Schema for message values on topic 'nope' does not exist in the Schema Registry. Subject: nope-value",
    );
    expect(err("CREATE STREAM S (A INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='AVRO');")).toBe(
      "Cannot create topic 't' with format AVRO without configuring 'ksql.schema.registry.url'",
    );
    expect(err("CREATE STREAM S (A INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON', VALUE_SCHEMA_ID=1);", mock())).toBe('JSON does not support the following configs: [schemaId]');
    expect(err("CREATE STREAM S (A MAP<INT, STRING>) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='PROTOBUF');", mock())).toContain('PROTOBUF format only supports MAP types with STRING keys');
    expect(err("CREATE STREAM S (A INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='PROTOBUF', WRAP_SINGLE_VALUE=false);", mock())).toBe("Format 'PROTOBUF' does not support 'WRAP_SINGLE_VALUE' set to 'false'.");
  });
});
