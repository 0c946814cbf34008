/**
 * The comparison rules of ksql-test-runner (ExpectedRecordComparator / TestExecutor):
 * - records are compared per topic, in production order; the counts must match;
 * - numbers: integers exactly, doubles within 1e-6 (so 1 matches 1.0), decimals exactly including
 *   scale (10.10 matches DECIMAL 10.10, not 10.1; an integer expectation needs scale 0);
 * - strings also match decimals (by value and scale) and bytes (by base64);
 * - objects: same number of fields, each expected field found by name or upper-cased name;
 * - a missing expected timestamp matches any; with no input records (INSERT VALUES tests) an
 *   expected timestamp of 0 matches any; windows must match start, end and type.
 */
import { Decimal } from '../types/decimal.js';
import { JsonNumber, stringifyJson, type JsonValue } from '../serde/json-text.js';
import type { TestRecord } from './files.js';
import type { ActualRecord } from './topics.js';

export function matchesValue(expected: JsonValue, actual: unknown): boolean {
  if (expected === null) return actual === null || actual === undefined;
  if (actual === null || actual === undefined) return false;
  if (typeof expected === 'boolean') return actual === expected;
  if (typeof expected === 'number' || expected instanceof JsonNumber) return matchesNumber(expected instanceof JsonNumber ? expected.text : String(expected), actual);
  if (typeof expected === 'string') {
    if (typeof actual === 'string') return actual === expected;
    // A non-finite double is written as "NaN" / "Infinity" / "-Infinity".
    if (typeof actual === 'number' && !Number.isFinite(actual)) return String(actual) === expected;
    if (actual instanceof Decimal) {
      try {
        const d = Decimal.parse(expected);
        return d.scale === actual.scale && d.unscaled === actual.unscaled;
      } catch {
        return false;
      }
    }
    if (Buffer.isBuffer(actual)) return actual.toString('base64') === expected;
    return false;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return false;
    return expected.every((e, i) => matchesValue(e, actual[i] ?? null));
  }
  // object
  const fields = Object.entries(expected);
  let get: (k: string) => unknown;
  let size: number;
  if (actual instanceof Map) {
    get = (k) => (actual.has(k) ? actual.get(k) : actual.get(k.toUpperCase()));
    size = actual.size;
  } else if (typeof actual === 'object' && !Buffer.isBuffer(actual) && !(actual instanceof Decimal) && !Array.isArray(actual)) {
    const obj = actual as Record<string, unknown>;
    get = (k) => (obj[k] !== undefined && obj[k] !== null ? obj[k] : obj[k.toUpperCase()]);
    size = Object.keys(obj).length;
  } else return false;
  if (size !== fields.length) return false;
  return fields.every(([k, v]) => matchesValue(v, get(k) ?? null));
}

function matchesNumber(text: string, actual: unknown): boolean {
  const integral = /^-?\d+$/.test(text);
  if (typeof actual === 'bigint') {
    return integral ? BigInt(text) === actual : BigInt(Math.trunc(Number(text))) === actual;
  }
  if (typeof actual === 'number') return Math.abs(Number(text) - actual) < 0.000_001;
  if (actual instanceof Decimal) {
    if (integral) return actual.scale <= 0 && actual.toBigInt() === BigInt(text);
    if (/[eE]/.test(text)) return false;
    const d = Decimal.parse(text);
    return d.scale === actual.scale && d.unscaled === actual.unscaled;
  }
  return false;
}

export interface ComparisonFailure {
  readonly message: string;
}

function expectedText(r: TestRecord, timestamp: number | string): string {
  const headers = (r.headers ?? []).map((h) => `{KEY=${h.key},VALUE=${h.value ?? 'null'}}`).join(', ');
  return `<${stringifyJson(r.key)}, ${stringifyJson(r.value)}> with timestamp=${timestamp} and headers=[${headers}]`;
}

export function actualText(a: ActualRecord): string {
  const headers = a.headers.map((h) => `{KEY=${h.key},VALUE=${h.value === null ? 'null' : h.value.toString('base64')}}`).join(', ');
  const value = typeof a.value === 'string' ? `"${a.value}"` : a.valueText;
  return `<${a.keyText}, ${value}> with timestamp=${a.timestamp} and headers=[${headers}]`;
}

function headersMatch(expected: TestRecord['headers'], actual: ActualRecord['headers']): boolean {
  const exp = expected ?? [];
  if (exp.length !== actual.length) return false;
  return exp.every((h, i) => {
    const a = actual[i]!;
    const av = a.value === null ? null : a.value.toString('base64');
    return h.key === a.key && h.value === av;
  });
}

/** Compares one topic's records; returns the ksql-test-runner failure message, or undefined. */
export function compareTopic(topic: string, expected: readonly TestRecord[], actual: readonly ActualRecord[], ranWithInsertStatements: boolean): ComparisonFailure | undefined {
  if (expected.length !== actual.length) {
    return {
      message: `Topic ${topic}. Expected <${expected.length}> records but it was <${actual.length}>\nActual records: \n${actual.map(actualText).join('\n')}`,
    };
  }
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    const expectedTs = e.timestamp ?? a.timestamp;
    const fail = (): ComparisonFailure => ({
      message: `Topic '${topic}', message ${i}: Expected ${expectedText(e, expectedTs)} but was ${actualText(a)}`,
    });
    if (e.window) {
      if (!a.window || a.window.start !== e.window.start || a.window.end !== e.window.end || a.window.type !== e.window.type) return fail();
    }
    if (!matchesValue(e.key, a.key)) return fail();
    if (!matchesValue(e.value, a.value)) return fail();
    if (!headersMatch(e.headers, a.headers)) return fail();
    if (a.timestamp !== expectedTs && !(ranWithInsertStatements && expectedTs === 0)) return fail();
  }
  return undefined;
}

/** Compares all outputs: expected records grouped by topic, each against that topic's actual records. */
export function compareOutputs(expected: readonly TestRecord[], actual: readonly ActualRecord[], ranWithInsertStatements: boolean): ComparisonFailure | undefined {
  const topics = [...new Set(expected.map((r) => r.topic))];
  for (const topic of topics) {
    const failure = compareTopic(
      topic,
      expected.filter((r) => r.topic === topic),
      actual.filter((r) => r.topic === topic),
      ranWithInsertStatements,
    );
    if (failure) return failure;
  }
  return undefined;
}
