/**
 * ksqlDB's schema-inference and schema-id rules for AVRO, PROTOBUF and JSON_SR (mock registry): which columns a
 * registered schema gives, the schema's own field names with a schema id, and the checks of a schema id against
 * declared or selected columns.
 */
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../src/sql/errors.js';
import { SqlSession } from '../../src/sql/session.js';
import { registryClient } from '../../src/serde/registry/registry-serde.js';
import { queryTestDriver } from '../../src/sql/testrunner/query-test-driver.js';
import { runTestCase } from '../../src/sql/testrunner/runner.js';
import { parseInputFile, parseOutputFile } from '../../src/sql/testrunner/files.js';
import { formatType } from '../../src/sql/types/sql-type.js';

let scope = 0;
const mock = (): string => `mock://registry-inference-${++scope}`;

const RECORD = JSON.stringify({ type: 'record', name: 'Rec', fields: [
  { name: 'f1', type: ['null', 'string'] },
  { name: 'inner', type: { type: 'record', name: 'Inner', fields: [{ name: 'x', type: 'int' }] } },
] });

function register(url: string, subject: string, schema: string, schemaType: 'AVRO' | 'JSON' | 'PROTOBUF' = 'AVRO'): number {
  return registryClient({ url }).register(subject, { schema, schemaType, references: [] });
}

function columns(session: SqlSession, name: string): { key: string[]; value: string[] } {
  const s = session.metastore.get(name)!.schema;
  return { key: s.key.map((c) => `${c.name} ${formatType(c.type)}`), value: s.value.map((c) => `${c.name} ${formatType(c.type)}`) };
}

function error(session: SqlSession, sql: string): string {
  try {
    session.execute(sql, 'x.sql');
  } catch (e) {
    if (e instanceof SqlError) return e.detail;
    throw e;
  }
  throw new Error('no error');
}

describe('schema inference and schema ids (mock registry)', () => {
  it('an AVRO or JSON_SR record key is one ROWKEY STRUCT column (keys are unwrapped); a PROTOBUF key message gives its fields', () => {
    const url = mock();
    register(url, 'k-key', RECORD);
    register(url, 'k-value', JSON.stringify({ type: 'record', name: 'V', fields: [{ name: 'v', type: 'int' }] }));
    register(url, 'j-key', JSON.stringify({ type: 'object', properties: { f1: { type: 'string' } } }), 'JSON');
    register(url, 'j-value', JSON.stringify({ type: 'object', properties: { v: { type: 'integer', 'connect.type': 'int32' } } }), 'JSON');
    register(url, 'p-key', 'syntax = "proto3"; message K { string f1 = 1; int32 f2 = 2; }', 'PROTOBUF');
    register(url, 'p-value', 'syntax = "proto3"; message V { int32 v = 1; }', 'PROTOBUF');
    const session = new SqlSession({ schemaRegistry: { url } });
    session.execute(`CREATE STREAM K WITH (KAFKA_TOPIC='k', FORMAT='AVRO');
      CREATE STREAM J WITH (KAFKA_TOPIC='j', FORMAT='JSON_SR');
      CREATE STREAM P WITH (KAFKA_TOPIC='p', FORMAT='PROTOBUF');`);
    expect(columns(session, 'K')).toEqual({ key: ['ROWKEY STRUCT<`F1` STRING, `INNER` STRUCT<`X` INTEGER>>'], value: ['V INTEGER'] });
    expect(columns(session, 'J')).toEqual({ key: ['ROWKEY STRUCT<`F1` STRING>'], value: ['V INTEGER'] });
    expect(columns(session, 'P')).toEqual({ key: ['F1 STRING', 'F2 INTEGER'], value: ['V INTEGER'] });
  });

  it('a TABLE with value columns and a registry key format takes its PRIMARY KEY from the key schema', () => {
    const url = mock();
    register(url, 'tk-key', '"int"');
    const session = new SqlSession({ schemaRegistry: { url } });
    session.execute("CREATE TABLE TK (NAME STRING) WITH (KAFKA_TOPIC='tk', KEY_FORMAT='AVRO', VALUE_FORMAT='JSON');");
    expect(columns(session, 'TK')).toEqual({ key: ['ROWKEY INTEGER'], value: ['NAME STRING'] });
    expect(error(session, "CREATE TABLE TJ (NAME STRING) WITH (KAFKA_TOPIC='tj', KEY_FORMAT='KAFKA', VALUE_FORMAT='JSON');")).toBe('Tables require a PRIMARY KEY. Please define the PRIMARY KEY.');
  });

  it('WRAP_SINGLE_VALUE=false reads a record value as one ROWVAL STRUCT column', () => {
    const url = mock();
    register(url, 'w-value', RECORD);
    const session = new SqlSession({ schemaRegistry: { url } });
    session.execute("CREATE STREAM W WITH (KAFKA_TOPIC='w', VALUE_FORMAT='AVRO', WRAP_SINGLE_VALUE=false);");
    expect(columns(session, 'W').value).toEqual(['ROWVAL STRUCT<`F1` STRING, `INNER` STRUCT<`X` INTEGER>>']);
  });

  it("with VALUE_SCHEMA_ID the columns keep the schema's spelling (nested fields too); without it they are upper-cased", () => {
    const url = mock();
    const id = register(url, 'n-value', RECORD);
    const session = new SqlSession({ schemaRegistry: { url } });
    session.execute(`CREATE STREAM A WITH (KAFKA_TOPIC='n', VALUE_FORMAT='AVRO', VALUE_SCHEMA_ID=${id});
      CREATE STREAM B WITH (KAFKA_TOPIC='n', VALUE_FORMAT='AVRO');`);
    expect(columns(session, 'A').value).toEqual(['f1 STRING', 'inner STRUCT<`x` INTEGER>']);
    expect(columns(session, 'B').value).toEqual(['F1 STRING', 'INNER STRUCT<`X` INTEGER>']);
  });

  it('declared columns and a schema id for the same part are an error', () => {
    const url = mock();
    const id = register(url, 't-value', RECORD);
    const session = new SqlSession({ schemaRegistry: { url } });
    expect(error(session, `CREATE STREAM S (A INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='AVRO', VALUE_SCHEMA_ID=${id});`)).toBe(
      'Table elements and VALUE_SCHEMA_ID cannot both exist for create statement.',
    );
    expect(error(session, `CREATE STREAM S (K INT KEY) WITH (KAFKA_TOPIC='t', FORMAT='AVRO', KEY_SCHEMA_ID=${id});`)).toBe(
      'Table elements and KEY_SCHEMA_ID cannot both exist for create statement.',
    );
  });

  it('AVRO rejects column and field names Avro does not allow, and a blank schema full name', () => {
    const session = new SqlSession({ schemaRegistry: { url: mock() } });
    expect(error(session, "CREATE STREAM S (`1st` DOUBLE) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='AVRO');")).toBe('Schema is not compatible with Avro: Illegal initial character: 1st');
    expect(error(session, "CREATE STREAM S (A STRUCT<`b-c` INT>) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='AVRO');")).toBe('Schema is not compatible with Avro: Illegal character in: b-c');
    expect(error(session, "CREATE STREAM S (A INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='AVRO', VALUE_AVRO_SCHEMA_FULL_NAME=' ');")).toBe('fullSchemaName cannot be empty. Format configuration: {fullSchemaName=}');
    session.execute("CREATE STREAM OK (`1st` DOUBLE) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON_SR');");
    expect(session.metastore.get('OK')!.schema.value[0]!.name).toBe('1st');
  });

  it("CREATE ... AS SELECT with VALUE_SCHEMA_ID: the query's columns must be the schema's first columns, in order", () => {
    const url = mock();
    const schema = (fields: object[]) => register(url, `s${++scope}-value`, JSON.stringify({ type: 'record', name: 'S', fields }));
    const same = schema([{ name: 'c1', type: 'int' }, { name: 'c2', type: ['null', 'double'], default: null }]);
    const changed = schema([{ name: 'c1', type: 'string' }, { name: 'c2', type: 'double' }]);
    const reordered = schema([{ name: 'c2', type: 'double' }, { name: 'c1', type: 'int' }]);
    const session = new SqlSession({ schemaRegistry: { url } });
    session.execute("CREATE STREAM I (`id` INT KEY, `c1` INT) WITH (KAFKA_TOPIC='i', VALUE_FORMAT='AVRO');");
    session.execute(`CREATE STREAM O1 WITH (VALUE_SCHEMA_ID=${same}) AS SELECT * FROM I;`);
    expect(session.metastore.get('O1')!.valueFormat.schemaId).toBe(same);
    expect(error(session, `CREATE STREAM O2 WITH (VALUE_SCHEMA_ID=${changed}) AS SELECT * FROM I;`)).toBe(
      'The following value columns are changed, missing or reordered: [`c1` INTEGER]. Schema from schema registry is [`c1` STRING, `c2` DOUBLE]',
    );
    expect(error(session, `CREATE STREAM O3 WITH (VALUE_SCHEMA_ID=${reordered}) AS SELECT * FROM I;`)).toBe(
      'The following value columns are changed, missing or reordered: [`c1` INTEGER]. Schema from schema registry is [`c2` DOUBLE, `c1` INTEGER]',
    );
  });

  it('test files give DATE and TIME of registry-format topics as numbers or number text, as ksql-test-runner reads them', async () => {
    const inputs = parseInputFile('{"inputs": [{"topic": "in", "key": "k", "value": {"D": "6", "S": {"T": "1000"}, "A": ["5", 7]}}]}');
    const outputs = parseOutputFile('{"outputs": [{"topic": "OUT", "key": "k", "value": {"D": 6, "S": {"T": 1000}, "A": [5, 7]}}]}');
    const result = await runTestCase(
      {
        name: 'dates',
        statements: "CREATE STREAM S (ID STRING KEY, D DATE, S STRUCT<T TIME>, A ARRAY<DATE>) WITH (KAFKA_TOPIC='in', VALUE_FORMAT='AVRO');\nCREATE STREAM OUT AS SELECT * FROM S;",
        statementsFile: 'test.sql',
        inputs,
        outputs,
      },
      queryTestDriver,
      { schemaRegistry: { url: mock() } },
    );
    expect(result.message ?? 'passed').toBe('passed');
  });

  it('PROTOBUF nullable representations: OPTIONAL writes optional fields, WRAPPER google.protobuf wrappers; nulls read back as null', async () => {
    for (const rep of ['OPTIONAL', 'WRAPPER']) {
      const url = mock();
      const inputs = parseInputFile('{"inputs": [{"topic": "in", "key": "k", "value": {"I": null, "S": "", "B": false}}, {"topic": "in", "key": "k", "value": {"I": 0, "S": null, "B": null}}]}');
      const outputs = parseOutputFile('{"outputs": [{"topic": "OUT", "key": "k", "value": {"I": null, "S": "", "B": false}}, {"topic": "OUT", "key": "k", "value": {"I": 0, "S": null, "B": null}}]}');
      const result = await runTestCase(
        {
          name: rep,
          statements: `CREATE STREAM S (ID STRING KEY, I INT, S STRING, B BOOLEAN) WITH (KAFKA_TOPIC='in', KEY_FORMAT='KAFKA', VALUE_FORMAT='PROTOBUF', VALUE_PROTOBUF_NULLABLE_REPRESENTATION='${rep}');
            CREATE STREAM OUT WITH (VALUE_PROTOBUF_NULLABLE_REPRESENTATION='${rep}') AS SELECT * FROM S;`,
          statementsFile: 'test.sql',
          inputs,
          outputs,
        },
        queryTestDriver,
        { schemaRegistry: { url } },
      );
      expect(`${rep}: ${result.message ?? 'passed'}`).toBe(`${rep}: passed`);
      const schema = registryClient({ url }).version('OUT-value').schema;
      expect(schema).toContain(rep === 'OPTIONAL' ? 'optional int32 I = 1;' : 'google.protobuf.Int32Value I = 1;');
    }
    const session = new SqlSession({ schemaRegistry: { url: mock() } });
    expect(error(session, "CREATE STREAM X (A INT) WITH (KAFKA_TOPIC='x', VALUE_FORMAT='AVRO', VALUE_PROTOBUF_NULLABLE_REPRESENTATION='OPTIONAL');")).toBe(
      'AVRO does not support the following configs: [nullableRepresentation]',
    );
  });
});
