/**
 * ksqlDB's query-validation-test (QTT) files: {"tests": [{name, statements[], inputs[], outputs[], topics[],
 * properties, format[], config[], expectedException, post, enabled}]}. A case with `format` runs once per
 * format with `{FORMAT}` replaced in its statements (and `config` once per value of the `{CONFIG}` property);
 * `topics[]` declares the schemas (`keySchema` / `valueSchema`, ids, `keyFormat` / `valueFormat`, default AVRO)
 * that ksqlDB's test runner registers in its in-process registry before the statements run. Post-conditions
 * (`post`) are not checked.
 */
import { isRegistryFormat, type FormatName } from '../analyzer/metastore.js';
import type { SchemaType } from '../../serde/registry/client.js';
import { JsonNumber, parseJson, stringifyJson, type JsonValue } from '../serde/json-text.js';
import { parseRecord, TestFileError, type TestCaseFiles } from './files.js';

type JsonObject = { [k: string]: JsonValue };

export interface QttSchema {
  readonly schema: string;
  readonly schemaType: SchemaType;
  readonly format: FormatName;
  readonly id?: number;
}

export interface QttTopic {
  readonly name: string;
  readonly keySchema?: QttSchema;
  readonly valueSchema?: QttSchema;
}

export interface QttCase extends TestCaseFiles {
  /** The QTT file's name without directory and `.json`. */
  readonly file: string;
  readonly topics: readonly QttTopic[];
  /** The case expects the statements (or the queries) to fail. */
  readonly expectedError?: { readonly type?: string; readonly message?: string };
  /** Every format the case's statements and topics name (KAFKA, JSON, AVRO, ...). */
  readonly formats: ReadonlySet<string>;
  /** The case's statements one by one, `{FORMAT}` replaced (without the SETs of its properties). */
  readonly statementList: readonly string[];
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) && !(v instanceof JsonNumber);
}

function str(v: JsonValue | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : stringifyJson(v);
}

function schemaOf(node: JsonValue | undefined, formatNode: JsonValue | undefined, idNode: JsonValue | undefined, where: string): QttSchema | undefined {
  if (node === undefined || node === null) return undefined;
  const named = (str(formatNode) ?? 'AVRO').toUpperCase() as FormatName;
  // ksqlDB's test runner registers a JSON topic's schema as a JSON Schema (what JSON_SR reads)
  const format: FormatName = named === 'JSON' ? 'JSON_SR' : named;
  if (!isRegistryFormat(format) || format === 'PROTOBUF_NOSR') return undefined;
  if (format === 'PROTOBUF' && typeof node !== 'string') throw new TestFileError(`${where}: a PROTOBUF schema must be the .proto text`);
  const id = idNode instanceof JsonNumber ? idNode.toNumber() : typeof idNode === 'number' ? idNode : undefined;
  return {
    schema: format === 'PROTOBUF' ? (node as string) : stringifyJson(node),
    schemaType: format === 'AVRO' ? 'AVRO' : format === 'PROTOBUF' ? 'PROTOBUF' : 'JSON',
    format,
    ...(id !== undefined ? { id } : {}),
  };
}

function parseTopic(node: JsonValue, where: string): QttTopic {
  if (!isObject(node) || typeof node.name !== 'string') throw new TestFileError(`${where}: a topic needs a name`);
  const keySchema = schemaOf(node.keySchema, node.keyFormat, node.keySchemaId, `${where}: topic ${node.name}`);
  const valueSchema = schemaOf(node.valueSchema, node.valueFormat, node.valueSchemaId, `${where}: topic ${node.name}`);
  return { name: node.name, ...(keySchema ? { keySchema } : {}), ...(valueSchema ? { valueSchema } : {}) };
}

const FORMAT_PROPERTY = /\b(?:KEY_|VALUE_)?FORMAT\s*=\s*'([A-Za-z_]+)'/gi;

function formatsOf(statements: readonly string[], topics: readonly QttTopic[], properties: Readonly<Record<string, string>>): Set<string> {
  const out = new Set<string>();
  for (const s of statements) for (const m of s.matchAll(FORMAT_PROPERTY)) out.add(m[1]!.toUpperCase());
  for (const t of topics) for (const s of [t.keySchema, t.valueSchema]) if (s) out.add(s.format);
  for (const [k, v] of Object.entries(properties)) if (/^ksql\.persistence\.default\.format\.(key|value)$/.test(k)) out.add(v.toUpperCase());
  return out;
}

function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** The text without line and block comments outside strings (ksqlDB reads its test files with comments allowed). */
export function stripJsonComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      const start = i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      out += text.slice(start, ++i);
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The cases of one QTT file, expanded per format and config; disabled cases are left out. */
export function parseQttFile(text: string, fileName: string): QttCase[] {
  let doc: JsonValue;
  try {
    doc = parseJson(stripJsonComments(text), { exactNumbers: true });
  } catch (e) {
    throw new TestFileError(`File name: ${fileName} Message: ${(e as Error).message}`);
  }
  const tests = isObject(doc) ? doc.tests : undefined;
  if (!Array.isArray(tests)) throw new TestFileError(`File name: ${fileName} Message: missing "tests" array`);
  const file = fileName.replace(/^.*\//, '').replace(/\.json$/, '');
  const out: QttCase[] = [];
  tests.forEach((t, index) => {
    const where = `${fileName}: test ${index}`;
    if (!isObject(t) || typeof t.name !== 'string') throw new TestFileError(`${where}: a test needs a name`);
    if (t.enabled === false) return;
    const statements = Array.isArray(t.statements) ? t.statements.map((s) => str(s) ?? '') : [];
    const topics = Array.isArray(t.topics) ? t.topics.map((n) => parseTopic(n, where)) : [];
    const inputs = Array.isArray(t.inputs) ? t.inputs.map((r, i) => parseRecord(r, fileName, i)) : [];
    const outputs = Array.isArray(t.outputs) ? t.outputs.map((r, i) => parseRecord(r, fileName, i)) : [];
    const properties: Record<string, string> = {};
    if (isObject(t.properties)) for (const [k, v] of Object.entries(t.properties)) properties[k] = str(v) ?? '';
    const ee = isObject(t.expectedException) ? t.expectedException : undefined;
    const expectedError = ee ? { ...(str(ee.type) ? { type: str(ee.type)! } : {}), ...(str(ee.message) ? { message: str(ee.message)! } : {}) } : undefined;
    const formats = Array.isArray(t.format) ? t.format.map((f) => str(f) ?? '') : [undefined];
    const configKey = Object.keys(properties).find((k) => properties[k]!.toUpperCase() === '{CONFIG}');
    const configs = configKey && Array.isArray(t.config) ? t.config.map((c) => str(c) ?? '') : [undefined];
    for (const format of formats) {
      for (const config of configs) {
        const props = configKey && config !== undefined ? { ...properties, [configKey]: config } : properties;
        const stmts = format === undefined ? statements : statements.map((s) => s.split('{FORMAT}').join(format));
        const sets = Object.entries(props).map(([k, v]) => `SET ${quote(k)}=${quote(v)};`);
        out.push({
          file,
          name: `${t.name}${format !== undefined ? ` - ${format}` : ''}${config !== undefined ? ` - ${configKey}=${config}` : ''}`,
          statements: [...sets, ...stmts].join('\n'),
          statementsFile: `${fileName}: ${t.name}`,
          inputs,
          outputs,
          topics,
          ...(expectedError ? { expectedError } : {}),
          formats: formatsOf(stmts, topics, props),
          statementList: stmts,
        });
      }
    }
  });
  return out;
}
