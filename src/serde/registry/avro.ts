/** Avro in Confluent's wire format, with `avsc`. */
import type * as avsc from 'avsc';
import { createRequire } from 'node:module';
import { SerdeError, SerdeUnavailableError } from '../serde.js';
import type { RegistrySchema, SchemaReference, SchemaRegistryClient } from './client.js';
import { type Compiled, RegistrySerde, type RegistrySerdeOptions } from './registry-serde.js';
import { HEADER_SIZE } from './wire-format.js';
import { withAvroFieldNames } from './field-case.js';

const require = createRequire(import.meta.url);
let avroLib: typeof avsc | undefined;
/** avsc loads on first use, so that `import 'kstream'` does not pay for it. */
export function avro(): typeof avsc {
  return (avroLib ??= require('avsc') as typeof avsc);
}

export interface AvroSerdeOptions extends RegistrySerdeOptions {
  /** The writer schema (registered on write) and, when reading, the reader schema records are resolved to. */
  schema?: avsc.Schema | string;
  /** avsc's logical type implementations (e.g. decimal, date) for reading and writing. */
  logicalTypes?: Record<string, new (schema: avsc.Schema, opts?: unknown) => avsc.types.LogicalType>;
  /** Read Avro longs as bigints, exact beyond 2^53 (default: numbers). Writing takes numbers or bigints. */
  longsAsBigInt?: boolean;
}

let bigIntLong: avsc.Type | undefined;
/** avsc's long type with bigint values (avsc's documented custom long type); numbers are accepted on write. */
function bigIntLongType(): avsc.Type {
  return (bigIntLong ??= avro().types.LongType.__with({
    fromBuffer: (buf: Buffer) => buf.readBigInt64LE(0),
    toBuffer: (n: bigint | number) => {
      const buf = Buffer.alloc(8);
      buf.writeBigInt64LE(BigInt(n), 0);
      return buf;
    },
    fromJSON: (n: number | string) => BigInt(n),
    toJSON: (n: bigint) => Number(n),
    isValid: (n: unknown) => typeof n === 'bigint' ? n >= -(2n ** 63n) && n < 2n ** 63n : Number.isSafeInteger(n),
    compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
  }));
}

const isPlainLong = (s: unknown): boolean => s === 'long' || (typeof s === 'object' && s !== null && (s as { type?: unknown }).type === 'long' && !('logicalType' in s));
const isNumberBranch = (s: unknown): boolean => ['int', 'float', 'double'].includes(typeof s === 'string' ? s : String((s as { type?: unknown } | null)?.type));
const wrapping = new WeakSet<object>();

/**
 * avsc's typeHook: every `long` (as a name or `{"type": "long"}`, without a logical type) is the bigint long. A
 * union of a long and another number type is read and written wrapped (`{ long: 1n }`, `{ int: 1 }`), as avsc
 * does for such unions without the hook: the bigint long also takes numbers, so a bare number would be ambiguous.
 */
function bigIntLongHook(schema: avsc.Schema, opts: avsc.ForSchemaOptions): avsc.Type | undefined {
  if (Array.isArray(schema) && !wrapping.has(schema) && schema.some(isPlainLong) && schema.some(isNumberBranch)) {
    wrapping.add(schema);
    try {
      return avro().Type.forSchema(schema, { ...opts, wrapUnions: 'always' });
    } finally {
      wrapping.delete(schema);
    }
  }
  if (schema === 'long') return bigIntLongType();
  if (typeof schema === 'object' && schema !== null && (schema as { type?: unknown }).type === 'long' && !('logicalType' in schema)) return bigIntLongType();
  return undefined;
}

interface AvroCompiled {
  /** The writer schema. */
  type: avsc.Type;
  /** The type records are read as: the serde's own schema when it has one, else the writer's. */
  reader: avsc.Type;
  /** From the writer's schema to the serde's own, when they differ. */
  resolver?: avsc.Resolver;
}

function schemaText(schema: avsc.Schema | string): string {
  return typeof schema === 'string' ? schema : JSON.stringify(schema);
}

/** Parses a registry schema with its references (named types from other subjects) into one avsc Type. */
export function avroType(client: SchemaRegistryClient, schema: RegistrySchema, opts: Partial<avsc.ForSchemaOptions> = {}): avsc.Type {
  const registry: Record<string, avsc.Type> = { ...opts.registry };
  const seen = new Set<string>();
  const addRefs = (refs: readonly SchemaReference[]): void => {
    for (const ref of refs) {
      const key = `${ref.subject}\0${ref.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const v = client.version(ref.subject, ref.version);
      addRefs(v.references);
      avro().Type.forSchema(JSON.parse(v.schema) as avsc.Schema, { ...opts, registry });
    }
  };
  try {
    addRefs(schema.references);
    return avro().Type.forSchema(JSON.parse(schema.schema) as avsc.Schema, { ...opts, registry });
  } catch (e) {
    if (e instanceof SerdeError || e instanceof SerdeUnavailableError) throw e;
    throw new SerdeError(`invalid Avro schema: ${(e as Error).message}`);
  }
}

export class AvroSerde<T = unknown> extends RegistrySerde<T, AvroCompiled> {
  readonly name = 'avro';
  protected readonly schemaType = 'AVRO' as const;
  private readonly own: RegistrySchema | undefined;
  private readonly ownType: avsc.Type | undefined;

  constructor(private readonly avroOptions: AvroSerdeOptions) {
    super(avroOptions);
    if (avroOptions.schema !== undefined) {
      this.ownType = avro().Type.forSchema(typeof avroOptions.schema === 'string' ? (JSON.parse(avroOptions.schema) as avsc.Schema) : avroOptions.schema, this.typeOptions());
      this.own = { schema: schemaText(avroOptions.schema), schemaType: 'AVRO', references: [] };
    }
  }

  private typeOptions(): Partial<avsc.ForSchemaOptions> {
    const { logicalTypes, longsAsBigInt } = this.avroOptions;
    return { ...(logicalTypes ? { logicalTypes } : {}), ...(longsAsBigInt ? { typeHook: bigIntLongHook } : {}) };
  }

  protected ownSchema(): RegistrySchema | undefined {
    return this.own;
  }

  protected compile(schema: RegistrySchema): AvroCompiled {
    const type = avroType(this.client, schema, this.typeOptions());
    if (!this.ownType || this.ownType.equals(type)) return { type, reader: type };
    try {
      return { type, reader: this.ownType, resolver: this.ownType.createResolver(type) };
    } catch (e) {
      throw new SerdeError(`avro: the reader schema cannot read data written with ${type.name ?? type.typeName}: ${(e as Error).message}`);
    }
  }

  protected encode(writer: Compiled<AvroCompiled>, data: T): { payload: Uint8Array } {
    try {
      const type = writer.parsed.type;
      return { payload: type.toBuffer(this.options.matchFieldCase ? withAvroFieldNames(data, type) : data) };
    } catch (e) {
      throw new SerdeError(`avro: cannot write the value with schema id ${writer.id}: ${(e as Error).message}`);
    }
  }

  protected decode(reader: Compiled<AvroCompiled>, data: Buffer): T {
    const { reader: type, resolver } = reader.parsed;
    try {
      return type.fromBuffer(data.subarray(HEADER_SIZE), resolver) as T;
    } catch (e) {
      throw new SerdeError(`avro: cannot read a record with schema id ${reader.id}: ${(e as Error).message}`);
    }
  }
}
