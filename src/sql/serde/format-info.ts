/** ksqlDB's serialization formats of a source's key and value, and the window of windowed keys. */
import type { SchemaRegistryConfig } from '../../serde/registry/client.js';

export type FormatName = 'JSON' | 'DELIMITED' | 'KAFKA' | 'NONE' | RegistryFormatName;
/** Formats whose schemas live in a schema registry (PROTOBUF_NOSR: Protobuf without one). */
export type RegistryFormatName = 'AVRO' | 'PROTOBUF' | 'JSON_SR' | 'PROTOBUF_NOSR';

export const FORMAT_NAMES: readonly FormatName[] = ['JSON', 'DELIMITED', 'KAFKA', 'NONE', 'AVRO', 'PROTOBUF', 'JSON_SR', 'PROTOBUF_NOSR'];

export function isRegistryFormat(f: FormatName): f is RegistryFormatName {
  return f === 'AVRO' || f === 'PROTOBUF' || f === 'JSON_SR' || f === 'PROTOBUF_NOSR';
}

/** A serialization format with its options, as ksqlDB's FormatInfo + SerdeFeatures. */
export interface FormatInfo {
  readonly format: FormatName;
  /** DELIMITED only: the field delimiter (default ','). */
  readonly delimiter?: string;
  /**
   * Single-field wrapping: true = the single column is a JSON object / record, false = the bare
   * value. Undefined = the format's default (values wrapped, single key columns unwrapped).
   */
  readonly wrapSingleValue?: boolean;
  /** Registry formats: the registry's settings (plain data: `schema.registry.url`, auth, TLS). */
  readonly registry?: SchemaRegistryConfig;
  /** KEY_SCHEMA_ID / VALUE_SCHEMA_ID: write and read with this registered schema. */
  readonly schemaId?: number;
  /** VALUE_AVRO_SCHEMA_FULL_NAME / *_SCHEMA_FULL_NAME: the record (or message) name of the sink schema. */
  readonly schemaFullName?: string;
  /**
   * PROTOBUF / PROTOBUF_NOSR, *_PROTOBUF_NULLABLE_REPRESENTATION: how a null scalar column is written so that it
   * reads back as null: OPTIONAL (proto3 `optional` fields) or WRAPPER (google.protobuf.*Value). Unset: proto3
   * scalars, where null is written as the type's default.
   */
  readonly protobufNullable?: 'OPTIONAL' | 'WRAPPER';
}

export type WindowType = 'TUMBLING' | 'HOPPING' | 'SESSION';

export interface WindowInfo {
  readonly type: WindowType;
  /** Window size for TUMBLING/HOPPING; undefined for SESSION. */
  readonly sizeMs?: number;
}
