/** Protobuf in Confluent's wire format (with the message indexes), with `protobufjs`. */
import { createRequire } from 'node:module';
import type * as pbjs from 'protobufjs';
import { SerdeError, SerdeUnavailableError } from '../serde.js';
import type { RegistrySchema, SchemaRegistryClient } from './client.js';
import { type Compiled, RegistrySerde, type RegistrySerdeOptions } from './registry-serde.js';
import { decodeMessageIndexes, encodeMessageIndexes, HEADER_SIZE } from './wire-format.js';
import { withProtobufFieldNames } from './field-case.js';

const require = createRequire(import.meta.url);
let pbLib: typeof pbjs | undefined;
export function protobuf(): typeof pbjs {
  return (pbLib ??= require('protobufjs') as typeof pbjs);
}

export interface ProtobufSerdeOptions extends RegistrySerdeOptions {
  /** The schema (`.proto` text) registered on write. */
  schema?: string;
  /** The message type to write (full or simple name; default: the first message of the schema). */
  messageName?: string;
  /** Read 64-bit ints as decimal strings, exact beyond 2^53 (default: numbers). Writing takes numbers, strings or bigints. */
  longsAsStrings?: boolean;
}

interface ProtoSchema {
  root: pbjs.Root;
  /** Messages of the schema file by their message-index path (`0`, `1.0`, ...). */
  byPath: Map<string, pbjs.Type>;
  pathOf: Map<pbjs.Type, number[]>;
  first: pbjs.Type;
}

const PARSE = { keepCase: true };

/**
 * Message types registries know without references (Confluent's schema registry ships them): confluent.type.Decimal
 * (with the precision and scale in `(confluent.field_meta)` options), google.type.Date and google.type.TimeOfDay.
 */
const KNOWN_TYPES = {
  confluent: { nested: { type: { nested: { Decimal: { fields: { value: { type: 'bytes', id: 1 }, precision: { type: 'uint32', id: 2 }, scale: { type: 'int32', id: 3 } } } } } } },
  google: {
    nested: {
      type: {
        nested: {
          Date: { fields: { year: { type: 'int32', id: 1 }, month: { type: 'int32', id: 2 }, day: { type: 'int32', id: 3 } } },
          TimeOfDay: { fields: { hours: { type: 'int32', id: 1 }, minutes: { type: 'int32', id: 2 }, seconds: { type: 'int32', id: 3 }, nanos: { type: 'int32', id: 4 } } },
        },
      },
    },
  },
};

function isKnownImport(name: string): boolean {
  return name.startsWith('google/protobuf/') || name.startsWith('google/type/') || name.startsWith('confluent/');
}
/** How decoded messages look: numbers for 64-bit ints, enum names, Buffers for bytes, defaults filled in. */
export const TO_OBJECT: pbjs.IConversionOptions = { longs: Number, enums: String, bytes: Buffer as unknown as typeof String, defaults: true, arrays: true, objects: true };
/** As TO_OBJECT, with 64-bit ints as decimal strings (exact beyond 2^53). */
export const TO_OBJECT_EXACT_LONGS: pbjs.IConversionOptions = { ...TO_OBJECT, longs: String };

function messagesOf(ns: pbjs.NamespaceBase): pbjs.Type[] {
  const P = protobuf();
  return ns.nestedArray.filter((n): n is pbjs.Type => n instanceof P.Type);
}

/** Parses a `.proto` schema (with its references and Google's well-known types) and indexes its messages. */
export function protoSchema(text: string, client?: SchemaRegistryClient, schema?: RegistrySchema): ProtoSchema {
  const P = protobuf();
  try {
    const root = new P.Root();
    const seen = new Set<string>();
    const addRefs = (refs: RegistrySchema['references']): void => {
      for (const ref of refs) {
        if (seen.has(ref.name) || isKnownImport(ref.name)) continue;
        seen.add(ref.name);
        const v = client!.version(ref.subject, ref.version);
        addRefs(v.references);
        P.parse(v.schema, root, PARSE);
      }
    };
    if (schema && client) addRefs(schema.references);
    for (const wk of ['any', 'duration', 'empty', 'struct', 'timestamp', 'wrappers', 'field_mask'] as const) {
      const json = P.common.get(`google/protobuf/${wk}.proto`);
      if (json) root.addJSON((json as { nested: Record<string, pbjs.AnyNestedObject> }).nested);
    }
    root.addJSON(KNOWN_TYPES as Record<string, pbjs.AnyNestedObject>);
    // the file alone gives the declaration order the message indexes refer to
    const file = P.parse(text, new P.Root(), PARSE);
    P.parse(text, root, PARSE);
    root.resolveAll();
    const pkg = file.package ? root.lookup(file.package) : root;
    const fileNs = file.package ? file.root.lookup(file.package) : file.root;
    if (!pkg || !fileNs) throw new Error(`package ${file.package} not found`);
    const byPath = new Map<string, pbjs.Type>();
    const pathOf = new Map<pbjs.Type, number[]>();
    const walk = (declared: pbjs.NamespaceBase, resolved: pbjs.NamespaceBase, prefix: number[]): void => {
      messagesOf(declared).forEach((m, i) => {
        const t = resolved.lookupType(m.name);
        const path = [...prefix, i];
        byPath.set(path.join('.'), t);
        pathOf.set(t, path);
        walk(m, t, path);
      });
    };
    walk(fileNs as pbjs.NamespaceBase, pkg as pbjs.NamespaceBase, []);
    const first = byPath.get('0');
    if (!first) throw new Error('the schema declares no message');
    return { root, byPath, pathOf, first };
  } catch (e) {
    if (e instanceof SerdeError || e instanceof SerdeUnavailableError) throw e;
    throw new SerdeError(`invalid Protobuf schema: ${(e as Error).message}`);
  }
}

export class ProtobufSerde<T = Record<string, unknown>> extends RegistrySerde<T, ProtoSchema> {
  readonly name = 'protobuf';
  protected readonly schemaType = 'PROTOBUF' as const;

  constructor(private readonly pbOptions: ProtobufSerdeOptions) {
    super(pbOptions);
  }

  protected ownSchema(): RegistrySchema | undefined {
    return this.pbOptions.schema === undefined ? undefined : { schema: this.pbOptions.schema, schemaType: 'PROTOBUF', references: [] };
  }

  protected compile(schema: RegistrySchema): ProtoSchema {
    return protoSchema(schema.schema, this.client, schema);
  }

  private writeType(writer: Compiled<ProtoSchema>): pbjs.Type {
    const name = this.pbOptions.messageName;
    if (!name) return writer.parsed.first;
    for (const t of writer.parsed.pathOf.keys()) {
      if (t.name === name || t.fullName === name || t.fullName === `.${name}`) return t;
    }
    throw new SerdeError(`protobuf: schema id ${writer.id} has no message ${name}`);
  }

  protected encode(writer: Compiled<ProtoSchema>, data: T): { payload: Uint8Array; prefix: Uint8Array } {
    const type = this.writeType(writer);
    try {
      const msg = type.fromObject((this.options.matchFieldCase ? withProtobufFieldNames(data, type) : data) as Record<string, unknown>);
      return { payload: type.encode(msg).finish(), prefix: encodeMessageIndexes(writer.parsed.pathOf.get(type)!) };
    } catch (e) {
      throw new SerdeError(`protobuf: cannot write the value as ${type.name}: ${(e as Error).message}`);
    }
  }

  protected decode(reader: Compiled<ProtoSchema>, data: Buffer): T {
    const { indexes, next } = decodeMessageIndexes(data, HEADER_SIZE, this.name);
    const type = reader.parsed.byPath.get(indexes.join('.'));
    if (!type) throw new SerdeError(`protobuf: schema id ${reader.id} has no message at index [${indexes.join(', ')}]`);
    try {
      return type.toObject(type.decode(data.subarray(next)), this.pbOptions.longsAsStrings ? TO_OBJECT_EXACT_LONGS : TO_OBJECT) as T;
    } catch (e) {
      throw new SerdeError(`protobuf: cannot read a ${type.name} with schema id ${reader.id}: ${(e as Error).message}`);
    }
  }
}
