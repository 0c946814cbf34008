/**
 * What the test runner knows of each topic (schema and formats, from the CREATE statements), and
 * the conversions between test-file records (JSON) and Kafka record bytes in those formats.
 */
import type { AnalyzedStatement } from '../analyzer/statement-analyzer.js';
import type { FormatInfo, WindowInfo } from '../analyzer/metastore.js';
import type { LogicalSchema } from '../analyzer/schema.js';
import type { Row } from '../serde/formats.js';
import { formatKeySerde as keySerde, formatValueSerde as valueSerde } from '../formats/index.js';
import { inferColumns } from '../formats/infer.js';
import { JsonNumber, stringifyJson, type JsonValue } from '../serde/json-text.js';
import { fieldCaseInsensitive, readJsonValue } from '../serde/json-values.js';
import { windowedSerde, type Windowed } from '../serde/windowed.js';
import type { Serde } from '../../serde/serde.js';
import type { TestRecord } from './files.js';
import { readSpecValue } from './spec-values.js';
import type { EncodedRecord } from '../planner/insert-values.js';

export interface TopicInfo {
  readonly topic: string;
  readonly schema: LogicalSchema;
  readonly keyFormat: FormatInfo;
  readonly valueFormat: FormatInfo;
  readonly window?: WindowInfo;
}

/** Topic → schema/formats, from CREATE and CREATE AS SELECT statements (first definition wins). */
export function topicCatalog(statements: readonly AnalyzedStatement[]): Map<string, TopicInfo> {
  const out = new Map<string, TopicInfo>();
  for (const s of statements) {
    const source = s.kind === 'createSource' ? s.source : s.kind === 'query' ? s.sink : undefined;
    if (!source || out.has(source.topic)) continue;
    out.set(source.topic, {
      topic: source.topic,
      schema: s.kind === 'query' ? writtenSchema(source.topic, source.schema, source.keyFormat, source.valueFormat) : source.schema,
      keyFormat: source.keyFormat,
      valueFormat: source.valueFormat,
      ...(source.window ? { window: source.window } : {}),
    });
  }
  return out;
}

/**
 * The columns a sink's records are read back with: a sink writing with KEY_SCHEMA_ID / VALUE_SCHEMA_ID writes
 * every field of that schema (those it has no column for as null or their default), and ksql-test-runner reads
 * its output with the writer schema, so the output is compared field by field of that schema.
 */
function writtenSchema(topic: string, schema: LogicalSchema, keyFormat: FormatInfo, valueFormat: FormatInfo): LogicalSchema {
  const columns = (format: FormatInfo, isKey: boolean, own: LogicalSchema['key']): LogicalSchema['key'] => {
    if (format.schemaId === undefined || own.length === 0) return own;
    const inferred = inferColumns(format, topic, isKey, true);
    return inferred ? inferred.columns.map((c) => ({ name: c.name, type: c.type, role: isKey ? 'KEY' : 'VALUE' }) as LogicalSchema['key'][number]) : own;
  };
  return { key: columns(keyFormat, true, schema.key), value: columns(valueFormat, false, schema.value) };
}

export interface TopicSerdes {
  readonly key: Serde<Row>;
  readonly windowedKey?: Serde<Windowed<Row>>;
  readonly value: Serde<Row>;
}

export function serdesFor(info: TopicInfo): TopicSerdes {
  const key = keySerde(info.schema.key, info.keyFormat);
  return {
    key,
    ...(info.window ? { windowedKey: windowedSerde(key, info.window) } : {}),
    value: valueSerde(info.schema.value, info.valueFormat),
  };
}

/** A single key column is the bare value in the test files, except for Protobuf (a key is always a message). */
function unwrapsSingleKey(format: FormatInfo): boolean {
  return format.format !== 'PROTOBUF' && format.format !== 'PROTOBUF_NOSR';
}

/** Bytes of a test-file key or value in a format: JSON text, DELIMITED text, KAFKA encoding. */
function encode(node: JsonValue, columns: LogicalSchema['key'], format: FormatInfo, serde: Serde<Row>, isKey: boolean, topic: string): Buffer | null {
  if (node === null) return null;
  switch (format.format) {
    case 'NONE':
      return null;
    case 'DELIMITED':
      return Buffer.from(typeof node === 'string' ? node : stringifyJson(node), 'utf8');
    case 'JSON':
      return Buffer.from(stringifyJson(node), 'utf8');
    case 'KAFKA': {
      const col = columns[0];
      if (!col) return null;
      return serde.serialize([readJsonValue(node, col.type)]);
    }
    default: {
      // registry formats: the test file gives the columns as JSON, as for the JSON format
      const unwrapped = columns.length === 1 && ((isKey && unwrapsSingleKey(format)) || format.wrapSingleValue === false || typeof node !== 'object' || Array.isArray(node));
      const row = unwrapped
        ? [readSpecValue(node, columns[0]!.type)]
        : columns.map((c) => readSpecValue(fieldCaseInsensitive(node as { [k: string]: JsonValue }, c.name) ?? null, c.type, c.name));
      return serde.serialize(row, topic);
    }
  }
}


export function encodeInput(r: TestRecord, info: TopicInfo | undefined): EncodedRecord {
  const headers = r.headers?.map((h) => ({ key: h.key, value: h.value === null ? null : Buffer.from(h.value, 'base64') }));
  const base = { topic: r.topic, timestamp: r.timestamp ?? 0, ...(headers ? { headers } : {}) };
  if (!info) {
    // Unknown topic: JSON text, as the test runner would for a schemaless topic.
    const text = (v: JsonValue) => (v === null ? null : Buffer.from(typeof v === 'string' ? v : stringifyJson(v), 'utf8'));
    return { ...base, key: text(r.key), value: text(r.value) };
  }
  const serdes = serdesFor(info);
  let key = encode(r.key, info.schema.key, info.keyFormat, serdes.key, true, r.topic);
  if (info.window && r.window && serdes.windowedKey) {
    const inner = serdes.key.deserialize(key);
    key = serdes.windowedKey.serialize({ key: inner ?? [], window: { start: r.window.start, end: r.window.end } });
  }
  const value = encode(r.value, info.schema.value, info.valueFormat, serdes.value, false, r.topic);
  return { ...base, key, value };
}

/** A decoded output record, ready to compare with expectations. */
export interface ActualRecord {
  readonly topic: string;
  /** Typed key: the single key value, an object of key columns, raw text (DELIMITED), or null. */
  readonly key: unknown;
  readonly value: unknown;
  readonly timestamp: number;
  readonly window?: { start: number; end: number; type: 'TIME' | 'SESSION' };
  /** Human-readable key/value, for messages. */
  readonly keyText: string;
  readonly valueText: string;
  readonly headers: readonly { key: string; value: Buffer | null }[];
}

export interface CapturedRecord {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers?: readonly { key: string; value: Buffer | null }[];
}

/** Turns a row into what the comparator sees: single column → its value, else column → value object. */
function rowView(row: Row | null, columns: LogicalSchema['key'], unwrapSingle: boolean): unknown {
  if (row === null || columns.length === 0) return null;
  if (unwrapSingle && columns.length === 1) return row[0] ?? null;
  const obj: Record<string, unknown> = {};
  columns.forEach((c, i) => (obj[c.name] = row[i] ?? null));
  return obj;
}

/** Java-like rendering of a decoded value for messages (objects as compact JSON). */
function render(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v, (_k, x: unknown) =>
    typeof x === 'bigint' ? Number(x) : x instanceof Map ? Object.fromEntries(x) : Buffer.isBuffer(x) ? x.toString('base64') : x,
  );
}

function text(b: Buffer | null): string {
  return b === null ? 'null' : b.toString('utf8');
}

export function decodeOutput(r: CapturedRecord, info: TopicInfo | undefined): ActualRecord {
  const headers = r.headers ?? [];
  if (!info) {
    return { topic: r.topic, key: r.key === null ? null : text(r.key), value: r.value === null ? null : text(r.value), timestamp: r.timestamp, keyText: text(r.key), valueText: text(r.value), headers };
  }
  const serdes = serdesFor(info);
  let keyBytes = r.key;
  let window: ActualRecord['window'];
  if (info.window && serdes.windowedKey && r.key !== null) {
    const w = serdes.windowedKey.deserialize(r.key)!;
    window = { start: w.window.start, end: w.window.end, type: info.window.type === 'SESSION' ? 'SESSION' : 'TIME' };
    keyBytes = r.key.subarray(0, r.key.length - (info.window.type === 'SESSION' ? 16 : 8));
    if (keyBytes.length === 0) keyBytes = null;
  }
  // ksqlDB's test runner reads DELIMITED keys, like DELIMITED values, as their text.
  const key =
    info.keyFormat.format === 'DELIMITED' && info.schema.key.length > 0
      ? keyBytes === null ? null : keyBytes.toString('utf8')
      : rowView(serdes.key.deserialize(keyBytes), info.schema.key, unwrapsSingleKey(info.keyFormat));
  const value =
    info.valueFormat.format === 'DELIMITED'
      ? r.value === null ? null : r.value.toString('utf8')
      : rowView(serdes.value.deserialize(r.value), info.schema.value, info.valueFormat.format === 'KAFKA' || info.valueFormat.wrapSingleValue === false);
  const valueText = info.valueFormat.format === 'KAFKA' ? render(value) : text(r.value);
  return { topic: r.topic, key, value, timestamp: r.timestamp, ...(window ? { window } : {}), keyText: render(key), valueText, headers };
}

export { JsonNumber };
