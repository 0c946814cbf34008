/** Row serdes of every ksqlDB format: src/sql/serde for the schemaless ones, registry-rows.ts for the rest. */
import { isRegistryFormat, type FormatInfo } from '../serde/format-info.js';
import { keySerde, valueSerde, type ColumnSpec, type Row } from '../serde/formats.js';
import type { Serde } from '../../serde/serde.js';
import { registryRowSerde } from './registry-rows.js';

export function formatValueSerde(columns: readonly ColumnSpec[], format: FormatInfo): Serde<Row> {
  return isRegistryFormat(format.format) ? registryRowSerde(columns, format, false) : valueSerde(columns, format);
}

export function formatKeySerde(columns: readonly ColumnSpec[], format: FormatInfo): Serde<Row> {
  if (columns.length === 0 || !isRegistryFormat(format.format)) return keySerde(columns, format);
  return registryRowSerde(columns, format, true);
}
