/**
 * Function signatures: parameter type patterns written as short strings and matched against
 * argument types with ksqlDB's overload rules (exact match preferred, then implicit widening).
 *
 * Pattern syntax: a concrete type (`STRING`, `BIGINT`, `DECIMAL(10, 2)`), `DECIMAL` (any decimal),
 * `STRUCT` (any struct), a type variable (`T`, `U`, `K`, `V`, `A`, `B`), `ARRAY<pattern>`,
 * `MAP<pattern, pattern>`, and `LAMBDA<p1, ..., result>` for a lambda argument.
 */
import { canImplicitlyCast } from '../types/coercion.js';
import {
  array,
  BIGINT,
  DATE,
  decimal,
  formatType,
  INTEGER,
  map,
  PRIMITIVE_TYPES,
  STRING,
  TIME,
  TIMESTAMP,
  typeEquals,
  type SqlType,
} from '../types/sql-type.js';

export type TypeSpec =
  | { kind: 'exact'; type: SqlType }
  | { kind: 'var'; name: string }
  | { kind: 'anyDecimal' }
  | { kind: 'anyStruct' }
  | { kind: 'array'; element: TypeSpec }
  | { kind: 'map'; key: TypeSpec; value: TypeSpec }
  | { kind: 'lambda'; params: TypeSpec[]; result: TypeSpec };

const specCache = new Map<string, TypeSpec>();

/** Parses a signature pattern (see module comment). */
export function spec(text: string): TypeSpec {
  let s = specCache.get(text);
  if (!s) {
    const p = new SpecParser(text);
    s = p.parse();
    p.end();
    specCache.set(text, s);
  }
  return s;
}

class SpecParser {
  private i = 0;
  constructor(private readonly text: string) {}

  private word(): string {
    this.skip();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.i));
    if (!m) throw new Error(`bad type pattern: ${this.text}`);
    this.i += m[0].length;
    return m[0].toUpperCase();
  }
  private skip() {
    while (this.text[this.i] === ' ') this.i++;
  }
  private eat(ch: string) {
    this.skip();
    if (this.text[this.i] !== ch) throw new Error(`bad type pattern: ${this.text}`);
    this.i++;
  }
  private peek(): string | undefined {
    this.skip();
    return this.text[this.i];
  }
  end() {
    this.skip();
    if (this.i !== this.text.length) throw new Error(`bad type pattern: ${this.text}`);
  }

  parse(): TypeSpec {
    const w = this.word();
    if (w === 'ARRAY') {
      this.eat('<');
      const e = this.parse();
      this.eat('>');
      if (e.kind === 'exact') return { kind: 'exact', type: array(e.type) };
      return { kind: 'array', element: e };
    }
    if (w === 'MAP') {
      this.eat('<');
      const k = this.parse();
      this.eat(',');
      const v = this.parse();
      this.eat('>');
      if (k.kind === 'exact' && v.kind === 'exact') return { kind: 'exact', type: map(k.type, v.type) };
      return { kind: 'map', key: k, value: v };
    }
    if (w === 'LAMBDA') {
      this.eat('<');
      const parts = [this.parse()];
      while (this.peek() === ',') {
        this.eat(',');
        parts.push(this.parse());
      }
      this.eat('>');
      const result = parts.pop()!;
      return { kind: 'lambda', params: parts, result };
    }
    if (w === 'DECIMAL') {
      if (this.peek() === '(') {
        this.eat('(');
        const p = Number(this.word2());
        this.eat(',');
        const s = Number(this.word2());
        this.eat(')');
        return { kind: 'exact', type: decimal(p, s) };
      }
      return { kind: 'anyDecimal' };
    }
    if (w === 'STRUCT') return { kind: 'anyStruct' };
    const prim = PRIMITIVE_TYPES[w];
    if (prim) return { kind: 'exact', type: prim };
    if (/^[A-Z]$/.test(w)) return { kind: 'var', name: w };
    throw new Error(`bad type pattern: ${this.text}`);
  }

  private word2(): string {
    this.skip();
    const m = /^\d+/.exec(this.text.slice(this.i));
    if (!m) throw new Error(`bad type pattern: ${this.text}`);
    this.i += m[0].length;
    return m[0];
  }
}

export type Bindings = Map<string, SqlType>;

/** Function resolution also lets a STRING argument become a DATE, TIME or TIMESTAMP (by a CAST). */
export function stringToTemporal(from: SqlType, to: SqlType): boolean {
  return from.base === 'STRING' && (to.base === 'DATE' || to.base === 'TIME' || to.base === 'TIMESTAMP');
}

/**
 * Matches one argument type against a pattern, binding type variables. Returns the cost
 * (0 exact, 1 per implicit widening) or -1 when it does not match. `null` = NULL literal.
 */
export function matchSpec(s: TypeSpec, actual: SqlType | null, b: Bindings, coerce: boolean): number {
  if (actual === null) return 0;
  switch (s.kind) {
    case 'exact':
      if (typeEquals(s.type, actual)) return 0;
      return coerce && (canImplicitlyCast(actual, s.type) || stringToTemporal(actual, s.type)) ? 1 : -1;
    case 'var': {
      const bound = b.get(s.name);
      if (!bound) {
        b.set(s.name, actual);
        return 0;
      }
      if (typeEquals(bound, actual)) return 0;
      if (coerce && canImplicitlyCast(actual, bound)) return 1;
      if (coerce && canImplicitlyCast(bound, actual)) {
        b.set(s.name, actual);
        return 1;
      }
      return -1;
    }
    case 'anyDecimal':
      if (actual.base === 'DECIMAL') return 0;
      return coerce && (actual.base === 'INTEGER' || actual.base === 'BIGINT') ? 1 : -1;
    case 'anyStruct':
      return actual.base === 'STRUCT' ? 0 : -1;
    case 'array':
      return actual.base === 'ARRAY' ? matchSpec(s.element, actual.element, b, coerce) : -1;
    case 'map': {
      if (actual.base !== 'MAP') return -1;
      const k = matchSpec(s.key, actual.key, b, coerce);
      if (k < 0) return -1;
      const v = matchSpec(s.value, actual.value, b, coerce);
      return v < 0 ? -1 : k + v;
    }
    case 'lambda':
      return -1;
  }
}

/** Resolves a pattern to a concrete type under bindings; unbound variables yield undefined. */
export function resolveSpec(s: TypeSpec, b: Bindings, actual?: SqlType | null): SqlType | undefined {
  switch (s.kind) {
    case 'exact':
      return s.type;
    case 'var':
      return b.get(s.name);
    case 'anyDecimal':
      if (actual && actual.base === 'DECIMAL') return actual;
      if (actual && actual.base === 'INTEGER') return decimal(10, 0);
      if (actual && actual.base === 'BIGINT') return decimal(19, 0);
      return undefined;
    case 'anyStruct':
      return actual && actual.base === 'STRUCT' ? actual : undefined;
    case 'array': {
      const e = resolveSpec(s.element, b, actual && actual.base === 'ARRAY' ? actual.element : undefined);
      return e && array(e);
    }
    case 'map': {
      const k = resolveSpec(s.key, b, actual && actual.base === 'MAP' ? actual.key : undefined);
      const v = resolveSpec(s.value, b, actual && actual.base === 'MAP' ? actual.value : undefined);
      return k && v && map(k, v);
    }
    case 'lambda':
      return undefined;
  }
}

export function formatSpec(s: TypeSpec): string {
  switch (s.kind) {
    case 'exact':
      return formatType(s.type);
    case 'var':
      return s.name;
    case 'anyDecimal':
      return 'DECIMAL';
    case 'anyStruct':
      return 'STRUCT';
    case 'array':
      return `ARRAY<${formatSpec(s.element)}>`;
    case 'map':
      return `MAP<${formatSpec(s.key)}, ${formatSpec(s.value)}>`;
    case 'lambda':
      return `LAMBDA<${[...s.params, s.result].map(formatSpec).join(', ')}>`;
  }
}
