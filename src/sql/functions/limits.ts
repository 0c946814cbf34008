/**
 * Bounds on what one SQL expression may build or do for one record, so that no record can take
 * unbounded time or memory. Past a bound the function fails with a FunctionError: the
 * expression is NULL and the processing log says why, as for any other function error.
 */
import { FunctionError } from './function-error.js';

/** Longest STRING a function or `||` may return (UTF-16 code units). */
export const MAX_STRING_LENGTH = 10_000_000;
/** Longest BYTES a function may return. */
export const MAX_BYTES_LENGTH = 10 * 1024 * 1024;
/** Most elements (or entries) an ARRAY or MAP built by a function may have; also rows from a table function. */
export const MAX_COLLECTION_SIZE = 1_000_000;
/** Longest regular expression or LIKE pattern (compiling is linear in its length, but not cheap). */
export const MAX_PATTERN_LENGTH = 32_768;
/**
 * Work one evaluation of an expression may do: characters and elements returned by its function
 * calls plus lambda invocations. Catches nesting (TRANSFORM over arrays of arrays, REDUCE over
 * REDUCE) that stays under the per-value limits but multiplies them.
 */
export const MAX_EXPRESSION_WORK = 50_000_000;

let work = 0;

/** Starts the work count of one top-level evaluation. */
export function resetExpressionWork(): void {
  work = 0;
}

export function chargeExpressionWork(units: number, fn: string): void {
  work += units;
  if (work > MAX_EXPRESSION_WORK) {
    throw new FunctionError(`${fn}: the expression exceeded its work limit of ${MAX_EXPRESSION_WORK} characters, elements and lambda calls for one record`);
  }
}

export function requireStringLength(fn: string, length: number): void {
  if (length > MAX_STRING_LENGTH) throw new FunctionError(`${fn}: the result would have ${length} characters; the limit is ${MAX_STRING_LENGTH}`);
}

export function requireBytesLength(fn: string, length: number): void {
  if (length > MAX_BYTES_LENGTH) throw new FunctionError(`${fn}: the result would have ${length} bytes; the limit is ${MAX_BYTES_LENGTH}`);
}

export function requireCollectionSize(fn: string, size: number): void {
  if (size > MAX_COLLECTION_SIZE) throw new FunctionError(`${fn}: the result would have ${size} elements; the limit is ${MAX_COLLECTION_SIZE}`);
}

export function requirePatternLength(fn: string, length: number): void {
  if (length > MAX_PATTERN_LENGTH) throw new FunctionError(`${fn}: the pattern has ${length} characters; the limit is ${MAX_PATTERN_LENGTH}`);
}

/** Checks a value a function returned against the limit for its kind and charges it as work. */
export function checkResultSize(fn: string, v: unknown): void {
  if (typeof v === 'string') {
    requireStringLength(fn, v.length);
    chargeExpressionWork(v.length, fn);
  } else if (typeof v === 'object' && v !== null) {
    if (Array.isArray(v)) {
      requireCollectionSize(fn, v.length);
      chargeExpressionWork(v.length, fn);
    } else if (v instanceof Map) {
      requireCollectionSize(fn, v.size);
      chargeExpressionWork(v.size, fn);
    } else if (Buffer.isBuffer(v)) {
      requireBytesLength(fn, v.length);
      chargeExpressionWork(v.length, fn);
    }
  }
}
