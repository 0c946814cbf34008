/** JSON Schema in Confluent's wire format: the header, then the value as JSON text, validated with `ajv`. */
import { createRequire } from 'node:module';
import type { Ajv as AjvClass, ValidateFunction } from 'ajv';
import { SerdeError } from '../serde.js';
import type { RegistrySchema } from './client.js';
import { type Compiled, RegistrySerde, type RegistrySerdeOptions } from './registry-serde.js';
import { HEADER_SIZE } from './wire-format.js';

const require = createRequire(import.meta.url);
let ajv: AjvClass | undefined;
function validator(): AjvClass {
  if (!ajv) {
    const { Ajv } = require('ajv') as { Ajv: typeof AjvClass };
    // strict off: registry schemas carry keywords (connect.type, ...) that are not JSON Schema's own
    ajv = new Ajv({ strict: false, allErrors: false, validateSchema: false, addUsedSchema: false });
  }
  return ajv;
}

export interface JsonSchemaSerdeOptions extends RegistrySerdeOptions {
  /** The JSON Schema (object or text) registered on write. */
  schema?: object | string;
  /** Validate values against the schema when writing (default true) and reading (default false), as Confluent's serdes. */
  validateOnWrite?: boolean;
  validateOnRead?: boolean;
}

export class JsonSchemaSerde<T = unknown> extends RegistrySerde<T, ValidateFunction | undefined> {
  readonly name = 'json_sr';
  protected readonly schemaType = 'JSON' as const;

  constructor(private readonly jsonOptions: JsonSchemaSerdeOptions) {
    super(jsonOptions);
  }

  protected ownSchema(): RegistrySchema | undefined {
    const s = this.jsonOptions.schema;
    return s === undefined ? undefined : { schema: typeof s === 'string' ? s : JSON.stringify(s), schemaType: 'JSON', references: [] };
  }

  protected compile(schema: RegistrySchema): ValidateFunction | undefined {
    if (this.jsonOptions.validateOnWrite === false && !this.jsonOptions.validateOnRead) return undefined;
    try {
      const parsed = JSON.parse(schema.schema) as Record<string, unknown>;
      delete parsed.$schema; // drafts differ only in ways that do not matter for validating records here
      return validator().compile(parsed);
    } catch (e) {
      throw new SerdeError(`json_sr: invalid JSON Schema: ${(e as Error).message}`);
    }
  }

  private check(validate: ValidateFunction | undefined, value: unknown, id: number, when: string): void {
    if (validate && !validate(value)) {
      const err = validate.errors?.[0];
      throw new SerdeError(`json_sr: the value ${when} does not match schema id ${id}: ${err ? `${err.instancePath || '/'} ${err.message}` : 'invalid'}`);
    }
  }

  protected encode(writer: Compiled<ValidateFunction | undefined>, data: T): { payload: Uint8Array } {
    if (this.jsonOptions.validateOnWrite !== false) this.check(writer.parsed, data, writer.id, 'to write');
    return { payload: Buffer.from(JSON.stringify(data), 'utf8') };
  }

  protected decode(reader: Compiled<ValidateFunction | undefined>, data: Buffer): T {
    let value: unknown;
    try {
      value = JSON.parse(data.toString('utf8', HEADER_SIZE));
    } catch (e) {
      throw new SerdeError(`json_sr: invalid JSON: ${(e as Error).message}`);
    }
    if (this.jsonOptions.validateOnRead) this.check(reader.parsed, value, reader.id, 'read');
    return value as T;
  }
}
