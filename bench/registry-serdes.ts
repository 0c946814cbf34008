/**
 * Per-record cost of the schema-registry serdes against JSON: `npx tsx bench/registry-serdes.ts [records]`.
 * Uses the in-process mock:// registry, so it measures encoding only (lookups are cached after the first record).
 */
import { Serdes, type Serde } from '../src/index.js';
import { formatValueSerde } from '../src/sql/formats/index.js';
import * as T from '../src/sql/types/sql-type.js';

const n = Number(process.argv[2] ?? 200_000);
const registry = 'mock://bench';
const order = { id: 42, item: 'tea', qty: 3, price: 2.5 };
const AVRO = { type: 'record', name: 'Order', fields: [{ name: 'id', type: 'long' }, { name: 'item', type: 'string' }, { name: 'qty', type: 'int' }, { name: 'price', type: 'double' }] };
const PROTO = 'syntax = "proto3"; message Order { int64 id = 1; string item = 2; int32 qty = 3; double price = 4; }';
const JSON_SCHEMA = { type: 'object', properties: { id: { type: 'integer' }, item: { type: 'string' }, qty: { type: 'integer' }, price: { type: 'number' } } };

function run<V>(name: string, serde: Serde<V>, value: V): number {
  const bytes = serde.serialize(value, 'bench')!;
  serde.deserialize(bytes, 'bench');
  let t = performance.now();
  for (let i = 0; i < n; i++) serde.serialize(value, 'bench');
  const ser = n / ((performance.now() - t) / 1000);
  t = performance.now();
  for (let i = 0; i < n; i++) serde.deserialize(bytes, 'bench');
  const de = n / ((performance.now() - t) / 1000);
  process.stdout.write(`${name.padEnd(22)} ${bytes.length.toString().padStart(3)} bytes  serialize ${(ser / 1e6).toFixed(2)} M/s  deserialize ${(de / 1e6).toFixed(2)} M/s\n`);
  return de;
}

run('DSL Json', Serdes.Json(), order);
run('DSL Avro', Serdes.Avro({ registry, schema: AVRO as never }), order);
run('DSL Protobuf', Serdes.Protobuf({ registry, schema: PROTO }), order);
run('DSL JsonSchema', Serdes.JsonSchema({ registry, schema: JSON_SCHEMA }), order);
const columns = [{ name: 'ID', type: T.BIGINT }, { name: 'ITEM', type: T.STRING }, { name: 'QTY', type: T.INTEGER }, { name: 'PRICE', type: T.DOUBLE }];
const row = [42n, 'tea', 3, 2.5];
for (const format of ['JSON', 'AVRO', 'PROTOBUF', 'JSON_SR'] as const) {
  run(`SQL ${format}`, formatValueSerde(columns, { format, registry: { url: registry } }), row);
}
