/**
 * Runs ksqlDB's QTT cases (qtt.ts) as its test runner does: the case's topic schemas are registered in a fresh
 * in-process registry before the statements run, test inputs of such a topic are written with its declared
 * schema (the columns come from that schema), and outputs are compared as ksql-test-runner compares them.
 * A case with an expected exception passes when the statements or the queries fail.
 */
import type { SqlSessionOptions } from '../session.js';
import type { Column } from '../analyzer/schema.js';
import type { FormatInfo } from '../analyzer/metastore.js';
import { registerMockSchema } from '../../serde/registry/memory-registry.js';
import { inferColumns } from '../formats/infer.js';
import type { QttCase, QttSchema, QttTopic } from './qtt.js';
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

function registerTopicSchemas(topics: readonly QttTopic[], session: SqlSessionOptions): void {
  const url = registryUrl(session);
  for (const t of topics) {
    for (const [suffix, s] of [['key', t.keySchema], ['value', t.valueSchema]] as const) {
      if (s) registerMockSchema(url, `${t.name}-${suffix}`, { schema: s.schema, schemaType: s.schemaType, references: [] }, s.id);
    }
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
    const r = await runTestCase(c, buildDriver, {}, { prepare: (session) => registerTopicSchemas(c.topics, session), inputTopic: inputTopicOf(c) });
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
