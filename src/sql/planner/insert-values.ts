import type { AnalyzedStatement } from '../analyzer/statement-analyzer.js';
import { formatKeySerde as keySerde, formatValueSerde as valueSerde } from '../formats/index.js';

/** A record encoded for its topic: what an INSERT ... VALUES writes (and a test input, once encoded). */
export interface EncodedRecord {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers?: readonly { key: string; value: Buffer | null }[];
}

/** Records produced by INSERT INTO ... VALUES statements, encoded for their topics. */
export function insertValuesRecords(statements: readonly AnalyzedStatement[]): EncodedRecord[] {
  const out: EncodedRecord[] = [];
  for (const s of statements) {
    if (s.kind !== 'insertValues') continue;
    const t = s.target;
    out.push({
      topic: t.topic,
      key: keySerde(t.schema.key, t.keyFormat).serialize([...s.key]),
      value: valueSerde(t.schema.value, t.valueFormat).serialize([...s.value]),
      timestamp: s.timestamp ?? 0,
    });
  }
  return out;
}
