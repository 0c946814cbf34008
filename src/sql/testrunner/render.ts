/**
 * Records as ksql-test-runner files write them: `{"topic", "key", "value", "timestamp",
 * "window"?}` with keys and values in the topic's format — JSON as JSON (numbers exact, decimals
 * with their scale), DELIMITED as the text, KAFKA as a number or string, NONE as null.
 */
import { JsonNumber, parseJson, stringifyJson, type JsonValue } from '../serde/json-text.js';
import { readKafka } from '../serde/kafka.js';
import type { FormatInfo } from '../analyzer/metastore.js';
import type { Column } from '../analyzer/schema.js';
import type { CapturedRecord, TopicInfo } from './topics.js';

function kafkaJson(v: unknown): JsonValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return new JsonNumber(v.toString());
  if (Buffer.isBuffer(v)) return v.toString('base64');
  return v as JsonValue;
}

function renderBytes(bytes: Buffer | null, format: FormatInfo, columns: readonly Column[]): JsonValue {
  if (bytes === null || columns.length === 0) return null;
  switch (format.format) {
    case 'NONE':
      return null;
    case 'DELIMITED':
      return bytes.toString('utf8');
    case 'JSON':
      try {
        return parseJson(bytes.toString('utf8'), { exactNumbers: true });
      } catch {
        return bytes.toString('utf8');
      }
    case 'KAFKA':
      try {
        return kafkaJson(readKafka(bytes, columns[0]!.type));
      } catch {
        return bytes.toString('base64');
      }
    default:
      return bytes.toString('base64');
  }
}

export function renderRecord(r: CapturedRecord, info: TopicInfo | undefined): { [k: string]: JsonValue } {
  if (info === undefined) {
    const text = (b: Buffer | null) => (b === null ? null : b.toString('utf8'));
    return { topic: r.topic, key: text(r.key), value: text(r.value), timestamp: r.timestamp };
  }
  let keyBytes = r.key;
  let window: { [k: string]: JsonValue } | undefined;
  if (info.window && r.key !== null) {
    const session = info.window.type === 'SESSION';
    const n = r.key.length - (session ? 16 : 8);
    if (n >= 0) {
      const start = Number(r.key.readBigInt64BE(session ? n + 8 : n));
      const end = session ? Number(r.key.readBigInt64BE(n)) : start + (info.window.sizeMs ?? 0);
      window = { start, end, type: session ? 'session' : 'time' };
      keyBytes = n === 0 ? null : r.key.subarray(0, n);
    }
  }
  return {
    topic: r.topic,
    key: renderBytes(keyBytes, info.keyFormat, info.schema.key),
    value: renderBytes(r.value, info.valueFormat, info.schema.value),
    timestamp: r.timestamp,
    ...(window ? { window } : {}),
  };
}

/** `{"outputs":[...]}`, one record per line. */
export function renderOutputs(records: readonly CapturedRecord[], topics: ReadonlyMap<string, TopicInfo>): string {
  const lines = records.map((r) => `    ${stringifyJson(renderRecord(r, topics.get(r.topic)))}`);
  return lines.length === 0 ? '{\n  "outputs": []\n}\n' : `{\n  "outputs": [\n${lines.join(',\n')}\n  ]\n}\n`;
}
