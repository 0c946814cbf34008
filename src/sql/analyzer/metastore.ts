/**
 * The metastore: streams and tables known to a session (from CREATE statements), with their
 * topics, formats and schemas. Names are case-sensitive once normalised (unquoted names are
 * upper case).
 */
import type { LogicalSchema } from './schema.js';
import type { SqlType } from '../types/sql-type.js';
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
}

export type WindowType = 'TUMBLING' | 'HOPPING' | 'SESSION';

export interface WindowInfo {
  readonly type: WindowType;
  /** Window size for TUMBLING/HOPPING; undefined for SESSION. */
  readonly sizeMs?: number;
}

export interface DataSource {
  readonly name: string;
  readonly type: 'STREAM' | 'TABLE';
  readonly topic: string;
  readonly schema: LogicalSchema;
  readonly keyFormat: FormatInfo;
  readonly valueFormat: FormatInfo;
  /** Set for windowed sources: their keys carry a window. */
  readonly window?: WindowInfo;
  /** Column used as the record timestamp instead of the Kafka record timestamp. */
  readonly timestampColumn?: { readonly column: string; readonly format?: string };
  readonly partitions?: number;
  readonly replicas?: number;
  /** CREATE SOURCE STREAM/TABLE: not writable by INSERT. */
  readonly readOnly: boolean;
  /** Created by CREATE ... AS SELECT (its topic is written by a persistent query). */
  readonly isSink: boolean;
  readonly sqlText: string;
}

export class MetaStore {
  private readonly sources = new Map<string, DataSource>();
  /** Custom types (CREATE TYPE), by upper-case name. */
  readonly types = new Map<string, SqlType>();

  get(name: string): DataSource | undefined {
    return this.sources.get(name);
  }

  put(source: DataSource): void {
    this.sources.set(source.name, source);
  }

  delete(name: string): boolean {
    return this.sources.delete(name);
  }

  all(): DataSource[] {
    return [...this.sources.values()];
  }

  copy(): MetaStore {
    const m = new MetaStore();
    for (const s of this.sources.values()) m.put(s);
    for (const [n, t] of this.types) m.types.set(n, t);
    return m;
  }
}
