/**
 * Runs ksqlDB's QTT cases (qtt.ts) as its test runner does: the case's topic schemas are registered in a fresh
 * in-process registry before the statements run, test inputs of such a topic are written with its declared
 * schema (the columns come from that schema), and outputs are compared as ksql-test-runner compares them.
 * A case with an expected exception passes when the statements or the queries fail.
 */
import type { SqlSessionOptions } from '../session.js';
import type { Column } from '../analyzer/schema.js';
import type { FormatInfo } from '../analyzer/metastore.js';
import { dropMockScope, registerMockSchema } from '../../serde/registry/memory-registry.js';
import type { RegistrySchema } from '../../serde/registry/client.js';
import { isRegistryFormat } from '../serde/format-info.js';
import { ownRegistrySchema } from '../formats/registry-rows.js';
import { SqlSession } from '../session.js';
import { inferColumns } from '../formats/infer.js';
import type { QttCase, QttSchema } from './qtt.js';
import { runTestCase, type DriverFactory } from './runner.js';
import type { TopicInfo } from './topics.js';

export type QttOutcome = 'passed' | 'failed' | 'error-raised' | 'error-missed';

export interface QttResult {
  readonly outcome: QttOutcome;
  readonly message?: string;
}

function registryUrl(session: SqlSessionOptions): string {
  const url = session.schemaRegistry!.url;
  return typeof url === 'string' ? url : url[0]!;
}

/** Java's String.hashCode, spread as java.util.HashMap spreads it. */
function javaHashMapHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h ^ (h >>> 16);
}

/** The order a java.util.HashMap<String, _> filled in this order iterates its keys in (ksql-test-runner's topic map). */
export function javaHashMapOrder(keys: readonly string[]): string[] {
  let capacity = 16;
  while (keys.length > capacity * 0.75) capacity *= 2;
  const bucket = (k: string) => javaHashMapHash(k) & (capacity - 1);
  return keys.map((k, i) => ({ k, i, b: bucket(k) })).sort((a, b) => a.b - b.b || a.i - b.i).map((e) => e.k);
}

interface TopicSchemas {
  key?: RegistrySchema & { id?: number };
  value?: RegistrySchema & { id?: number };
}

/**
 * The schemas ksql-test-runner registers before a case runs: the case's topics' and, for a topic they leave
 * without one, the schema a CREATE STREAM/TABLE with columns in a registry format gives it (as a sink would
 * register it). Found by running each statement alone in a scratch session; a statement that fails there is
 * skipped (the real run reports it).
 */
function topicSchemas(c: QttCase): Map<string, TopicSchemas> {
  const out = new Map<string, TopicSchemas>();
  const asRegistered = (s: QttSchema | undefined) => (s ? { schema: s.schema, schemaType: s.schemaType, references: [], ...(s.id !== undefined ? { id: s.id } : {}) } : undefined);
  for (const t of c.topics) {
    const key = asRegistered(t.keySchema);
    const value = asRegistered(t.valueSchema);
    out.set(t.name, { ...(key ? { key } : {}), ...(value ? { value } : {}) });
  }
  const scratchUrl = `mock://qtt-topics-${++scratchScopes}`;
  for (const [name, t] of out) {
    for (const [suffix, s] of [['key', t.key], ['value', t.value]] as const) if (s) registerMockSchema(scratchUrl, `${name}-${suffix}`, s, s.id);
  }
  const scratch = new SqlSession({ schemaRegistry: { url: scratchUrl } });
  try {
    for (const text of c.statementList) {
      let analyzed;
      try {
        analyzed = scratch.execute(text);
      } catch {
        continue;
      }
      for (const a of analyzed) {
        if (a.kind !== 'createSource' || a.statement.kind !== 'CreateSource' || (a.statement.elements ?? []).length === 0) continue;
        const src = a.source;
        const known = out.get(src.topic) ?? {};
        const fromStatement = (columns: readonly Column[], format: FormatInfo, isKey: boolean) =>
          columns.length > 0 && isRegistryFormat(format.format) && format.format !== 'PROTOBUF_NOSR' ? ownRegistrySchema(columns, format, isKey) : undefined;
        const key = known.key ?? fromStatement(src.schema.key, src.keyFormat, true);
        const value = known.value ?? fromStatement(src.schema.value, src.valueFormat, false);
        out.set(src.topic, { ...(key ? { key } : {}), ...(value ? { value } : {}) });
      }
    }
  } finally {
    dropMockScope(scratchUrl);
  }
  return out;
}

let scratchScopes = 0;

function registerTopicSchemas(c: QttCase, session: SqlSessionOptions): void {
  const url = registryUrl(session);
  const topics = topicSchemas(c);
  for (const name of javaHashMapOrder([...topics.keys()])) {
    const t = topics.get(name)!;
    if (t.key) registerMockSchema(url, `${name}-key`, { schema: t.key.schema, schemaType: t.key.schemaType, references: [] }, t.key.id);
    if (t.value) registerMockSchema(url, `${name}-value`, { schema: t.value.schema, schemaType: t.value.schemaType, references: [] }, t.value.id);
  }
}

/** The columns and format that write test inputs with the declared schema (registered under `id`). */
function declared(s: QttSchema, topic: string, isKey: boolean, session: SqlSessionOptions, base: FormatInfo | undefined): { columns: Column[]; format: FormatInfo } {
  const probe: FormatInfo = { ...base, format: s.format, registry: session.schemaRegistry! };
  const subject = `${topic}-${isKey ? 'key' : 'value'}`;
  const id = s.id ?? registerMockSchema(registryUrl(session), subject, { schema: s.schema, schemaType: s.schemaType, references: [] });
  const inferred = inferColumns({ ...probe, schemaId: id }, topic, isKey, false)!;
  const role = isKey ? 'KEY' : 'VALUE';
  const columns = inferred.columns.map((c) => ({ name: c.name, type: c.type, role }) as Column);
  const single = columns.length === 1 && columns[0]!.name === (isKey ? 'ROWKEY' : 'ROWVAL');
  return { columns, format: { ...probe, schemaId: id, ...(single && !isKey ? { wrapSingleValue: false } : {}) } };
}

function inputTopicOf(c: QttCase) {
  return (topic: string, fromStatements: TopicInfo | undefined, session: SqlSessionOptions): TopicInfo | undefined => {
    const t = c.topics.find((x) => x.name === topic);
    if (!t || (!t.keySchema && !t.valueSchema)) return fromStatements;
    const key = t.keySchema ? declared(t.keySchema, topic, true, session, fromStatements?.keyFormat) : undefined;
    const value = t.valueSchema ? declared(t.valueSchema, topic, false, session, fromStatements?.valueFormat) : undefined;
    return {
      topic,
      schema: { key: key?.columns ?? fromStatements?.schema.key ?? [], value: value?.columns ?? fromStatements?.schema.value ?? [] },
      keyFormat: key?.format ?? fromStatements?.keyFormat ?? { format: 'KAFKA' },
      valueFormat: value?.format ?? fromStatements?.valueFormat ?? { format: 'JSON' },
      ...(fromStatements?.window ? { window: fromStatements.window } : {}),
    };
  };
}

export async function runQttCase(c: QttCase, buildDriver: DriverFactory): Promise<QttResult> {
  let message: string | undefined;
  try {
    const r = await runTestCase(c, buildDriver, {}, { prepare: (session) => registerTopicSchemas(c, session), inputTopic: inputTopicOf(c) });
    message = r.passed ? undefined : r.message;
  } catch (e) {
    message = (e as Error).message;
  }
  if (c.expectedError) return message !== undefined ? { outcome: 'error-raised', message } : { outcome: 'error-missed', message: 'expected an error, the case ran' };
  return message === undefined ? { outcome: 'passed' } : { outcome: 'failed', message };
}

/** Registry formats (AVRO, PROTOBUF, PROTOBUF_NOSR, JSON_SR) or the schemaless JSON format. */
export function qttCaseGroup(c: QttCase): 'registry' | 'json' | 'other' {
  const f = c.formats;
  if (f.has('AVRO') || f.has('PROTOBUF') || f.has('PROTOBUF_NOSR') || f.has('JSON_SR')) return 'registry';
  return f.has('JSON') ? 'json' : 'other';
}

/** `<file>: <case name>` of each case, numbered (` #2`, ...) where a file repeats a name. */
export function qttCaseIds(cases: readonly QttCase[]): string[] {
  const seen = new Map<string, number>();
  return cases.map((c) => {
    const base = `${c.file}: ${c.name}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base} #${n}`;
  });
}
