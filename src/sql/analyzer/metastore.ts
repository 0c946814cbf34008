/**
 * The metastore: streams and tables known to a session (from CREATE statements), with their
 * topics, formats and schemas. Names are case-sensitive once normalised (unquoted names are
 * upper case).
 */
import type { LogicalSchema } from './schema.js';
import type { SqlType } from '../types/sql-type.js';
import type { FormatInfo, WindowInfo } from '../serde/format-info.js';

export { FORMAT_NAMES, isRegistryFormat, type FormatInfo, type FormatName, type RegistryFormatName, type WindowInfo, type WindowType } from '../serde/format-info.js';

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
