/**
 * Avro unions of several types and JSON Schema oneOf/anyOf, read (and, for Avro, written) as ksqlDB does: a
 * STRUCT with one optional field per branch (Avro: named by the branch's type or record name; JSON Schema:
 * io.confluent.connect.json.OneOf.field.<n>), at most one of them set.
 */
import { describe, expect, it } from 'vitest';
import { SqlSession } from '../../src/sql/session.js';
import { registryClient } from '../../src/serde/registry/registry-serde.js';
import { AvroSerde } from '../../src/serde/registry/avro.js';
import { runQttJson } from './qtt-json.js';
import { formatType } from '../../src/sql/types/sql-type.js';
import { formatValueSerde } from '../../src/sql/formats/index.js';

let scope = 0;
const mock = (): string => `mock://registry-unions-${++scope}`;

const AVRO_UNION = {
  type: 'record',
  name: 'Event',
  fields: [
    { name: 'id', type: 'int' },
    { name: 'u', type: ['null', 'int', 'string', { type: 'record', name: 'com.acme.Point', fields: [{ name: 'x', type: 'int' }] }] },
    { name: 'n', type: ['int', 'long'] },
  ],
};

const JSON_ONE_OF = {
  type: 'object',
  properties: {
    id: { type: 'integer', 'connect.type': 'int32' },
    u: { oneOf: [{ type: 'null' }, { type: 'string' }, { type: 'integer' }, { type: 'object', properties: { x: { type: 'integer', 'connect.type': 'int32' } } }] },
    t: { anyOf: [{ type: 'boolean' }, { type: 'number' }] },
  },
};

function valueColumns(session: SqlSession, name: string): string[] {
  return session.metastore.get(name)!.schema.value.map((c) => `${c.name} ${formatType(c.type)}`);
}


describe('unions (mock registry)', () => {
  it('an Avro union of several types is a STRUCT of its branches: INT, STRING, the record name; [int, long] too', () => {
    const url = mock();
    registryClient({ url }).register('events-value', { schema: JSON.stringify(AVRO_UNION), schemaType: 'AVRO', references: [] });
    const session = new SqlSession({ schemaRegistry: { url } });
    session.execute("CREATE STREAM E WITH (KAFKA_TOPIC='events', VALUE_FORMAT='AVRO');");
    expect(valueColumns(session, 'E')).toEqual(['ID INTEGER', 'U STRUCT<`INT` INTEGER, `STRING` STRING, `POINT` STRUCT<`X` INTEGER>>', 'N STRUCT<`INT` INTEGER, `LONG` BIGINT>']);
  });

  it('Avro union values written by another client read into the branch field; the row serde writes them back as the union', () => {
    const url = mock();
    const id = registryClient({ url }).register('events-value', { schema: JSON.stringify(AVRO_UNION), schemaType: 'AVRO', references: [] });
    const session = new SqlSession({ schemaRegistry: { url } });
    session.execute("CREATE STREAM E WITH (KAFKA_TOPIC='events', VALUE_FORMAT='AVRO');");
    const source = session.metastore.get('E')!;
    const rows = formatValueSerde(source.schema.value, source.valueFormat);
    const producer = new AvroSerde({ registry: { url }, schema: AVRO_UNION as never, longsAsBigInt: true });
    const read = (v: object) => rows.deserialize(producer.serialize(v, 'events'), 'events');
    expect(read({ id: 1, u: 5, n: { int: 7 } })).toEqual([1, { INT: 5, STRING: null, POINT: null }, { INT: 7, LONG: null }]);
    expect(read({ id: 2, u: 'a', n: { long: 2n ** 40n } })).toEqual([2, { INT: null, STRING: 'a', POINT: null }, { INT: null, LONG: 2n ** 40n }]);
    expect(read({ id: 3, u: { x: 9 }, n: { int: 1 } })).toEqual([3, { INT: null, STRING: null, POINT: { X: 9 } }, { INT: 1, LONG: null }]);
    expect(read({ id: 4, u: null, n: { int: 1 } })).toEqual([4, null, { INT: 1, LONG: null }]);

    // writing with the registered union schema (VALUE_SCHEMA_ID): the set field is the branch written
    const writer = formatValueSerde(source.schema.value, { ...source.valueFormat, schemaId: id });
    const bytes = writer.serialize([5, { INT: null, STRING: null, POINT: { X: 3 } }, { INT: null, LONG: 12n }], 'events');
    expect(new AvroSerde({ registry: { url }, longsAsBigInt: true }).deserialize(bytes, 'events')).toEqual({ id: 5, u: { x: 3 }, n: { long: 12n } });
  });

  it('SQL over an Avro union: branch fields project with ->, and a CSAS writes the union column as a STRUCT', async () => {
    const outcome = await runQttJson({
      name: 'avro union',
      statements: [
        "CREATE STREAM E WITH (KAFKA_TOPIC='events', VALUE_FORMAT='AVRO');",
        'CREATE STREAM O AS SELECT ID, U->INT AS I, U->STRING AS S, U->POINT->X AS X, U FROM E;',
      ],
      topics: [{ name: 'events', valueSchema: AVRO_UNION, valueFormat: 'AVRO' }],
      inputs: [
        { topic: 'events', value: { id: 1, u: { int: 5 }, n: { int: 1 } } },
        { topic: 'events', value: { id: 2, u: { string: 'a' }, n: { long: 2 } } },
        { topic: 'events', value: { id: 3, u: { Point: { x: 9 } }, n: { int: 1 } } },
      ],
      outputs: [
        { topic: 'O', value: { ID: 1, I: 5, S: null, X: null, U: { INT: 5, STRING: null, POINT: null } } },
        { topic: 'O', value: { ID: 2, I: null, S: 'a', X: null, U: { INT: null, STRING: 'a', POINT: null } } },
        { topic: 'O', value: { ID: 3, I: null, S: null, X: 9, U: { INT: null, STRING: null, POINT: { X: 9 } } } },
      ],
    });
    expect(outcome).toBe('passed');
  });

  it('a JSON Schema oneOf/anyOf of several types is a STRUCT of io.confluent.connect.json.OneOf.field.<n>; values go to the first alternative of their kind', async () => {
    const url = mock();
    registryClient({ url }).register('j-value', { schema: JSON.stringify(JSON_ONE_OF), schemaType: 'JSON', references: [] });
    const session = new SqlSession({ schemaRegistry: { url } });
    session.execute("CREATE STREAM J WITH (KAFKA_TOPIC='j', VALUE_FORMAT='JSON_SR');");
    expect(valueColumns(session, 'J')).toEqual([
      'ID INTEGER',
      'U STRUCT<`IO.CONFLUENT.CONNECT.JSON.ONEOF.FIELD.0` STRING, `IO.CONFLUENT.CONNECT.JSON.ONEOF.FIELD.1` BIGINT, `IO.CONFLUENT.CONNECT.JSON.ONEOF.FIELD.2` STRUCT<`X` INTEGER>>',
      'T STRUCT<`IO.CONFLUENT.CONNECT.JSON.ONEOF.FIELD.0` BOOLEAN, `IO.CONFLUENT.CONNECT.JSON.ONEOF.FIELD.1` DOUBLE>',
    ]);
    const F = 'IO.CONFLUENT.CONNECT.JSON.ONEOF.FIELD.';
    const outcome = await runQttJson({
      name: 'json oneOf',
      statements: [
        "CREATE STREAM J WITH (KAFKA_TOPIC='j', VALUE_FORMAT='JSON_SR');",
        `CREATE STREAM O AS SELECT ID, U->\`${F}0\` AS S, U->\`${F}1\` AS N, U->\`${F}2\`->X AS X, T->\`${F}1\` AS D FROM J;`,
      ],
      topics: [{ name: 'j', valueSchema: JSON_ONE_OF, valueFormat: 'JSON_SR' }],
      inputs: [
        { topic: 'j', value: { id: 1, u: 'a', t: true } },
        { topic: 'j', value: { id: 2, u: 42, t: 1.5 } },
        { topic: 'j', value: { id: 3, u: { x: 7 }, t: null } },
      ],
      outputs: [
        { topic: 'O', value: { ID: 1, S: 'a', N: null, X: null, D: null } },
        { topic: 'O', value: { ID: 2, S: null, N: 42, X: null, D: 1.5 } },
        { topic: 'O', value: { ID: 3, S: null, N: null, X: 7, D: null } },
      ],
    });
    expect(outcome).toBe('passed');
  });
});
