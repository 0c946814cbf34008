/**
 * The serdes a query uses: the formats of its source and sink topics (src/sql/serde) for what
 * users read and write, windowed key serdes laid out as Kafka Streams' (so ksqlDB clients read
 * them), and for internal topics the key in a ksqlDB format (so that a re-keyed side hashes to
 * the same partition as the source topic it joins) and rows / aggregation states in kstream's own
 * exact encoding (value-codec.ts).
 */
import type { FormatInfo, WindowInfo } from '../analyzer/metastore.js';
import type { Column, LogicalSchema } from '../analyzer/schema.js';
import { delimitedSupports, kafkaSupports } from '../analyzer/statement-analyzer.js';
import type { SqlType } from '../types/sql-type.js';
import type { Row } from '../serde/formats.js';
import { formatKeySerde as keySerde, formatValueSerde as valueSerde } from '../formats/index.js';
import type { Serde } from '../../serde/serde.js';
import { SessionWindowedSerde, TimeWindowedSerde } from '../../serde/windowed-serdes.js';
import type { Windowed } from '../../common/windowed.js';
import { sqlValueSerde } from './value-codec.js';

export type { Row };

/** Serde of the rows (and aggregation states) on internal topics and in stores. */
export function rowSerde<T = Row>(): Serde<T> {
  return sqlValueSerde<T>();
}

/** A time- or session-windowed serde around a key serde, as Kafka Streams lays windowed keys out. */
export function windowedKeySerde(inner: Serde<Row>, window: WindowInfo): Serde<Windowed<Row>> {
  return window.type === 'SESSION' ? new SessionWindowedSerde(inner) : new TimeWindowedSerde(inner, window.sizeMs ?? Number.MAX_SAFE_INTEGER);
}

export interface TopicSerdes {
  /** Row key, or Windowed<Row> key for windowed topics. */
  readonly key: Serde<any>;
  readonly value: Serde<Row>;
}

export function topicSerdes(schema: LogicalSchema, keyFormat: FormatInfo, valueFormat: FormatInfo, window: WindowInfo | undefined): TopicSerdes {
  const key = keySerde(schema.key, keyFormat);
  return { key: window ? windowedKeySerde(key, window) : key, value: valueSerde(schema.value, valueFormat) };
}

/** Whether a format can carry keys of these types (ksqlDB falls back to JSON otherwise). */
function formatCarries(format: FormatInfo, types: readonly SqlType[]): boolean {
  switch (format.format) {
    case 'KAFKA':
      return types.length <= 1 && types.every(kafkaSupports);
    case 'DELIMITED':
      return types.every(delimitedSupports);
    case 'JSON':
      return true;
    case 'NONE':
      return types.length === 0;
    default:
      return true;
  }
}

/**
 * The serde of keys on an internal (repartition) topic: `preferred` when it can carry the key
 * columns, else JSON (what ksqlDB's key format inference falls back to).
 */
export function internalKeySerde(columns: readonly Pick<Column, 'name' | 'type'>[], preferred: FormatInfo | undefined): Serde<Row> {
  const types = columns.map((c) => c.type);
  const format: FormatInfo = preferred && formatCarries(preferred, types) ? preferred : { format: 'JSON' };
  return keySerde(columns, format);
}
