/** JSON string functions: EXTRACTJSONFIELD, IS_JSON_STRING, JSON_ARRAY_LENGTH, JSON_KEYS, JSON_RECORDS. */
import { JsonNumber, parseJson, stringifyJson, type JsonValue } from '../../../serde/ksql/jsonText.js';
import { writeJsonValue } from '../../../serde/ksql/jsonValues.js';
import { FunctionError } from '../functionError.js';
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
      const idx = /^\[\s*(\d+)\s*\]/.exec(path.slice(i));
      if (!idx) throw new FunctionError(`Invalid JsonPath: ${path}`);
      out.push(Number(idx[1]));
      i += idx[0].length;
    } else throw new FunctionError(`Invalid JsonPath: ${path}`);
  }
  return out;
}

function tryParse(text: string): JsonValue | undefined {
  try {
    return parseJson(text, { exactNumbers: true });
  } catch {
    return undefined;
  }
}

function navigate(doc: JsonValue, path: readonly (string | number)[]): JsonValue | undefined {
  let cur: JsonValue | undefined = doc;
  for (const p of path) {
    if (cur === null || cur === undefined) return undefined;
    if (typeof p === 'number') {
      if (!Array.isArray(cur)) return undefined;
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
        factory: ({ argTypes }) => ([v]) => writeJsonValue(v ?? null, argTypes[0]!),
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
          return new Map(Object.entries(v).map(([k, x]) => [k, stringifyJson(x)]));
        },
      },
    ],
  });
}
