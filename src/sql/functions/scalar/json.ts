/** JSON string functions: EXTRACTJSONFIELD, IS_JSON_STRING, JSON_ARRAY_LENGTH, JSON_KEYS, JSON_RECORDS. */
import { JsonNumber, parseJson, stringifyJson, type JsonValue } from '../../serde/json-text.js';
import { writeJsonValue } from '../../serde/json-values.js';
import { formatDateIso, formatTimeIso, formatTimestampIso } from '../../time/iso-time.js';
import { Decimal } from '../../types/decimal.js';
import type { SqlType } from '../../types/sql-type.js';
import { FunctionError } from '../function-error.js';
import type { FunctionRegistry } from '../registry.js';

/** Parses a JSONPath such as $.a.b[0]['c d'] into keys and indexes. */
export function parseJsonPath(path: string): (string | number)[] {
  if (!path.startsWith('$')) throw new FunctionError(`Invalid JsonPath: ${path}`);
  const out: (string | number)[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      const m = /^[^.[]+/.exec(path.slice(i + 1));
      if (!m) throw new FunctionError(`Invalid JsonPath: ${path}`);
      out.push(m[0]);
      i += 1 + m[0].length;
    } else if (c === '[') {
      const quoted = /^\[\s*(['"])(.*?)\1\s*\]/.exec(path.slice(i));
      if (quoted) {
        out.push(quoted[2]!);
        i += quoted[0].length;
        continue;
      }
      const idx = /^\[\s*(-?\d+)\s*\]/.exec(path.slice(i));
      if (!idx) throw new FunctionError(`Invalid JsonPath: ${path}`);
      out.push(Number(idx[1]));
      i += idx[0].length;
    } else throw new FunctionError(`Invalid JsonPath: ${path}`);
  }
  return out;
}

/**
 * TO_JSON_STRING's JSON: like the JSON format, except that DATE, TIME and TIMESTAMP are ISO
 * strings and struct fields and map keys come out sorted (ksqlDB sorts them for stable output).
 */
function toJsonString(v: unknown, t: SqlType): string {
  if (v === null || v === undefined) return 'null';
  switch (t.base) {
    case 'DATE':
      return JSON.stringify(formatDateIso(v as number));
    case 'TIME':
      return JSON.stringify(formatTimeIso(v as number));
    case 'TIMESTAMP':
      return JSON.stringify(formatTimestampIso(Number(v as number | bigint)));
    case 'ARRAY':
      return `[${(v as unknown[]).map((e) => toJsonString(e ?? null, t.element)).join(',')}]`;
    case 'MAP': {
      const entries = [...(v as Map<unknown, unknown>)].map(([k, x]) => [k instanceof Decimal ? k.toString() : String(k), x] as const);
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${toJsonString(x ?? null, t.value)}`).join(',')}}`;
    }
    case 'STRUCT': {
      const fields = [...t.fields].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const st = v as Record<string, unknown>;
      return `{${fields.map((f) => `${JSON.stringify(f.name)}:${toJsonString(st[f.name] ?? null, f.type)}`).join(',')}}`;
    }
    default:
      return writeJsonValue(v, t);
  }
}

function tryParse(text: string): JsonValue | undefined {
  try {
    return parseJson(text, { exactNumbers: true, ignoreTrailing: true });
  } catch {
    return undefined;
  }
}

function navigate(doc: JsonValue, path: readonly (string | number)[]): JsonValue | undefined {
  let cur: JsonValue | undefined = doc;
  for (const p of path) {
    if (cur === null || cur === undefined) return undefined;
    if (typeof p === 'number') {
      if (!Array.isArray(cur) || p < 0) return undefined;
      cur = cur[p];
    } else {
      if (typeof cur !== 'object' || Array.isArray(cur) || cur instanceof JsonNumber) return undefined;
      cur = Object.prototype.hasOwnProperty.call(cur, p) ? cur[p] : undefined;
    }
  }
  return cur;
}

export function registerJsonFunctions(r: FunctionRegistry): void {
  r.registerScalar({
    name: 'TO_JSON_STRING',
    overloads: [
      {
        params: ['T'],
        returns: 'STRING',
        nullTolerant: true,
        factory: ({ argTypes }) => ([v]) => toJsonString(v ?? null, argTypes[0]!),
      },
    ],
  });
  r.registerScalar({
    name: 'EXTRACTJSONFIELD',
    overloads: [
      {
        params: ['STRING', 'STRING'],
        returns: 'STRING',
        factory: ({ constants }) => {
          const fixed = typeof constants[1] === 'string' ? parseJsonPath(constants[1]) : undefined;
          return ([json, path]) => {
            const keys = fixed ?? parseJsonPath(path as string);
            const doc = tryParse(json as string);
            if (doc === undefined) return null;
            const v = navigate(doc, keys);
            if (v === undefined || v === null) return null;
            return typeof v === 'string' ? v : stringifyJson(v);
          };
        },
      },
    ],
  });
  r.registerScalar({
    name: 'IS_JSON_STRING',
    overloads: [{ params: ['STRING'], returns: 'BOOLEAN', nullTolerant: true, impl: ([s]) => s !== null && tryParse(s as string) !== undefined }],
  });
  r.registerScalar({
    name: 'JSON_ARRAY_LENGTH',
    overloads: [
      {
        params: ['STRING'],
        returns: 'INTEGER',
        impl: ([s]) => {
          const v = tryParse(s as string);
          return Array.isArray(v) ? v.length : null;
        },
      },
    ],
  });
  r.registerScalar({
    name: 'JSON_KEYS',
    overloads: [
      {
        params: ['STRING'],
        returns: 'ARRAY<STRING>',
        impl: ([s]) => {
          const v = tryParse(s as string);
          return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof JsonNumber) ? Object.keys(v) : null;
        },
      },
    ],
  });
  r.registerScalar({
    name: 'JSON_RECORDS',
    overloads: [
      {
        params: ['STRING'],
        returns: 'MAP<STRING, STRING>',
        impl: ([s]) => {
          const v = tryParse(s as string);
          if (v === null || v === undefined || typeof v !== 'object' || Array.isArray(v) || v instanceof JsonNumber) return null;
          // String members are their text; everything else its JSON (as ksqlDB's JSON_RECORDS).
          return new Map(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x : stringifyJson(x)]));
        },
      },
    ],
  });
}

function parseOrUndefined(text: string | null): JsonValue | undefined {
  return text === null ? undefined : tryParse(text);
}

function isJsonObject(v: JsonValue | undefined): v is { [k: string]: JsonValue } {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) && !(v instanceof JsonNumber);
}

/** JSON_ARRAY_CONTAINS, JSON_CONCAT, JSON_ITEMS. */
export function registerJsonArrayFunctions(r: FunctionRegistry): void {
  r.registerScalar({
    name: 'JSON_ARRAY_CONTAINS',
    overloads: [
      {
        params: ['STRING', 'T'],
        returns: 'BOOLEAN',
        nullTolerant: true,
        factory: ({ argTypes }) => {
          const t = argTypes[1]!.base;
          return ([json, val]) => {
            const doc = parseOrUndefined(json as string | null);
            if (!Array.isArray(doc)) return false;
            return doc.some((e) => {
              if (e === null) return val === null;
              if (val === null) return false;
              if (e instanceof JsonNumber || typeof e === 'number') {
                const text = e instanceof JsonNumber ? e.text : String(e);
                const integral = /^-?\d+$/.test(text);
                if (t === 'INTEGER' || t === 'BIGINT') return integral && BigInt(text) === BigInt(val as number | bigint);
                if (t === 'DOUBLE') return !integral && Number(text) === val;
                return false;
              }
              if (typeof e === 'string') return t === 'STRING' && e === val;
              if (typeof e === 'boolean') return t === 'BOOLEAN' && e === val;
              return false;
            });
          };
        },
      },
    ],
  });
  r.registerScalar({
    name: 'JSON_CONCAT',
    overloads: [
      {
        params: ['STRING'],
        variadic: true,
        returns: 'STRING',
        nullTolerant: true,
        impl: (args) => {
          const docs: JsonValue[] = [];
          for (const a of args) {
            const d = parseOrUndefined(a as string | null);
            if (d === undefined) return null;
            docs.push(d);
          }
          if (docs.length > 0 && docs.every(isJsonObject)) {
            const out: { [k: string]: JsonValue } = {};
            for (const d of docs) Object.assign(out, d);
            return stringifyJson(out);
          }
          const out: JsonValue[] = [];
          for (const d of docs) {
            if (Array.isArray(d)) out.push(...d);
            else out.push(d);
          }
          return stringifyJson(out);
        },
      },
    ],
  });
  r.registerScalar({
    name: 'JSON_ITEMS',
    overloads: [
      {
        params: ['STRING'],
        returns: 'ARRAY<STRING>',
        impl: ([s]) => {
          const d = parseOrUndefined(s as string);
          return Array.isArray(d) ? d.map((e) => stringifyJson(e)) : null;
        },
      },
    ],
  });
}
