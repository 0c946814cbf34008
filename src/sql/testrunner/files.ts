/**
 * ksql-test-runner test files: statements.sql, input.json {"inputs": [...]} and output.json
 * {"outputs": [...]}. Record fields: topic (required), key, value, timestamp, headers, window
 * {start, end, type: "time" | "session"}. Numbers are kept exact (JsonNumber) so DECIMAL and
 * BIGINT expectations compare without double rounding.
 */
import { JsonNumber, parseJson, type JsonValue } from '../serde/json-text.js';

export class TestFileError extends Error {
  override readonly name = 'TestFileError';
}

export interface TestHeader {
  readonly key: string;
  /** Base64 of the header bytes, or null. */
  readonly value: string | null;
}

export interface TestWindow {
  readonly start: number;
  readonly end: number;
  readonly type: 'TIME' | 'SESSION';
}

export interface TestRecord {
  readonly topic: string;
  readonly key: JsonValue;
  readonly value: JsonValue;
  readonly timestamp?: number;
  readonly headers?: readonly TestHeader[];
  readonly window?: TestWindow;
}

type JsonObject = { [k: string]: JsonValue };

function isObject(v: JsonValue | undefined): v is JsonObject {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) && !(v instanceof JsonNumber);
}

function num(v: JsonValue | undefined, what: string, file: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  if (v instanceof JsonNumber) return v.toNumber();
  throw new TestFileError(`File name: ${file} Message: ${what} must be a number, got ${JSON.stringify(v)}`);
}

export function parseRecord(node: JsonValue, file: string, index: number): TestRecord {
  if (!isObject(node)) throw new TestFileError(`File name: ${file} Message: record ${index} is not a JSON object`);
  const topic = node.topic;
  if (typeof topic !== 'string' || topic === '') throw new TestFileError(`File name: ${file} Message: test file is missing the field: topic (record ${index})`);
  const timestamp = num(node.timestamp, 'timestamp', file);
  let headers: TestHeader[] | undefined;
  if (node.headers !== undefined && node.headers !== null) {
    if (!Array.isArray(node.headers)) throw new TestFileError(`File name: ${file} Message: headers must be an array`);
    headers = node.headers.map((h) => {
      if (!isObject(h) || typeof h.KEY !== 'string' && typeof h.key !== 'string') throw new TestFileError(`File name: ${file} Message: invalid header in record ${index}`);
      const key = (typeof h.KEY === 'string' ? h.KEY : h.key) as string;
      const value = h.VALUE ?? h.value ?? null;
      return { key, value: typeof value === 'string' ? value : null };
    });
  }
  let window: TestWindow | undefined;
  if (node.window !== undefined && node.window !== null) {
    const w = node.window;
    if (!isObject(w)) throw new TestFileError(`File name: ${file} Message: window must be an object`);
    const type = typeof w.type === 'string' ? w.type.toUpperCase() : '';
    if (type !== 'TIME' && type !== 'SESSION') throw new TestFileError(`File name: ${file} Message: window type must be "time" or "session"`);
    window = { start: num(w.start, 'window.start', file) ?? 0, end: num(w.end, 'window.end', file) ?? 0, type };
  }
  return {
    topic,
    key: node.key ?? null,
    value: node.value ?? null,
    ...(timestamp !== undefined ? { timestamp } : {}),
    ...(headers ? { headers } : {}),
    ...(window ? { window } : {}),
  };
}

function parseRecords(text: string, file: string, field: 'inputs' | 'outputs'): TestRecord[] {
  let doc: JsonValue;
  try {
    doc = parseJson(text, { exactNumbers: true });
  } catch (e) {
    throw new TestFileError(`File name: ${file} Message: ${(e as Error).message}`);
  }
  if (!isObject(doc)) throw new TestFileError(`File name: ${file} Message: expected a JSON object with "${field}"`);
  const list = doc[field];
  if (!Array.isArray(list)) throw new TestFileError(`File name: ${file} Message: missing "${field}" array`);
  return list.map((r, i) => parseRecord(r, file, i));
}

export function parseInputFile(text: string, file = 'input.json'): TestRecord[] {
  return parseRecords(text, file, 'inputs');
}

export function parseOutputFile(text: string, file = 'output.json'): TestRecord[] {
  return parseRecords(text, file, 'outputs');
}

export interface TestCaseFiles {
  readonly name: string;
  readonly statements: string;
  readonly statementsFile: string;
  readonly inputs: readonly TestRecord[];
  readonly outputs: readonly TestRecord[];
}

/** Reads <dir>/statements.sql, <dir>/input.json (optional) and <dir>/output.json. */
export async function loadTestCase(dir: string): Promise<TestCaseFiles> {
  const { readFile } = await import('node:fs/promises');
  const { join, basename } = await import('node:path');
  const statementsFile = join(dir, 'statements.sql');
  const statements = await readFile(statementsFile, 'utf8');
  let inputs: TestRecord[] = [];
  try {
    inputs = parseInputFile(await readFile(join(dir, 'input.json'), 'utf8'), join(dir, 'input.json'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const outputs = parseOutputFile(await readFile(join(dir, 'output.json'), 'utf8'), join(dir, 'output.json'));
  return { name: basename(dir), statements, statementsFile, inputs, outputs };
}
