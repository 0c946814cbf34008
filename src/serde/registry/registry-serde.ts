/**
 * The part all schema-registry serdes share: which schema a record is written with (a given id, a subject's
 * version, or the serde's own schema registered under `<topic>-key|value`), and a decoder per schema id read from
 * the record's header. Both are resolved on first use through the (synchronous, cached) registry client; after
 * that a record costs a Map lookup plus the format's own encode/decode.
 */
import { type Serde, SerdeError } from '../serde.js';
import { type RegistrySchema, SchemaRegistryClient, type SchemaRegistryConfig, type SchemaType } from './client.js';
import { MemorySchemaRegistryClient } from './memory-registry.js';
import { readSchemaId, writeHeader } from './wire-format.js';

export interface RegistrySerdeOptions {
  /** A client, its settings, or the registry URL (`schema.registry.url`). */
  registry: SchemaRegistryClient | SchemaRegistryConfig | string;
  /** Key serde (subject `<topic>-key`) instead of value serde (`<topic>-value`). */
  isKey?: boolean;
  /** Subject to write under (default: Confluent's TopicNameStrategy, `<topic>-key` / `<topic>-value`). */
  subject?: string;
  /** Write with this version of the subject instead of the serde's schema (`latest`: the newest at first use). */
  version?: number | 'latest';
  /** Write with the schema of this id. */
  id?: number;
  /** Register the serde's schema when writing (default true); false: it must be registered already. */
  autoRegister?: boolean;
  /** Write record fields under the writer schema's names, matched ignoring case (SQL columns with a given schema). */
  matchFieldCase?: boolean;
}

/** One schema ready for the format: whatever it needs to encode and decode synchronously. */
export interface Compiled<C> {
  id: number;
  schema: RegistrySchema;
  parsed: C;
}

const clients = new Map<string, SchemaRegistryClient>();

/** One shared client (and cache) per registry configuration; `mock://<scope>` URLs get the in-process registry. */
export function registryClient(registry: RegistrySerdeOptions['registry']): SchemaRegistryClient {
  if (registry instanceof SchemaRegistryClient) return registry;
  const config: SchemaRegistryConfig = typeof registry === 'string' ? { url: registry } : registry;
  const key = JSON.stringify(config);
  let c = clients.get(key);
  if (!c) {
    const first = typeof config.url === 'string' ? config.url : (config.url[0] ?? '');
    c = first.trim().startsWith('mock://') ? new MemorySchemaRegistryClient(config) : new SchemaRegistryClient(config);
    clients.set(key, c);
  }
  return c;
}

export abstract class RegistrySerde<T, C> implements Serde<T> {
  abstract readonly name: string;
  protected abstract readonly schemaType: SchemaType;
  readonly client: SchemaRegistryClient;
  private readonly writers = new Map<string, Compiled<C>>();
  private readonly readers = new Map<number, Compiled<C>>();

  constructor(protected readonly options: RegistrySerdeOptions) {
    this.client = registryClient(options.registry);
  }

  /** The serde's own schema (registered on write), or undefined to write with a registered one. */
  protected abstract ownSchema(): RegistrySchema | undefined;
  protected abstract compile(schema: RegistrySchema, id: number): C;
  protected abstract encode(writer: Compiled<C>, data: T): { payload: Uint8Array; prefix?: Uint8Array };
  protected abstract decode(writer: Compiled<C>, data: Buffer): T;

  serialize(data: T | null, topic?: string): Buffer | null {
    if (data === null || data === undefined) return null;
    const writer = this.writerFor(topic ?? '');
    const { payload, prefix } = this.encode(writer, data);
    return writeHeader(writer.id, payload, prefix);
  }

  deserialize(data: Buffer | null, _topic?: string): T | null {
    if (data === null) return null;
    const id = readSchemaId(data, this.name);
    let reader = this.readers.get(id);
    if (!reader) {
      const schema = this.client.schemaById(id);
      if (schema.schemaType !== this.schemaType) {
        throw new SerdeError(`${this.name}: schema id ${id} is a ${schema.schemaType} schema, not ${this.schemaType}`);
      }
      reader = { id, schema, parsed: this.compile(schema, id) };
      this.readers.set(id, reader);
    }
    return this.decode(reader, data);
  }

  /** The subject this serde writes under for `topic`. */
  subjectFor(topic: string): string {
    return this.options.subject ?? `${topic}-${this.options.isKey ? 'key' : 'value'}`;
  }

  /** Resolves (and registers when configured) the schema written for `topic`; cached per topic. */
  writerFor(topic: string): Compiled<C> {
    let w = this.writers.get(topic);
    if (w) return w;
    const o = this.options;
    let id: number;
    let schema: RegistrySchema;
    if (o.id !== undefined) {
      id = o.id;
      schema = this.client.schemaById(id);
    } else {
      const own = o.version === undefined ? this.ownSchema() : undefined;
      const subject = this.subjectFor(topic);
      if (own) {
        schema = own;
        id = o.autoRegister === false ? this.client.lookup(subject, own).id : this.client.register(subject, own);
      } else {
        const v = this.client.version(subject, o.version ?? 'latest');
        id = v.id;
        schema = v;
      }
    }
    if (schema.schemaType !== this.schemaType) throw new SerdeError(`${this.name}: schema id ${id} is a ${schema.schemaType} schema, not ${this.schemaType}`);
    w = { id, schema, parsed: this.compile(schema, id) };
    this.writers.set(topic, w);
    return w;
  }
}
