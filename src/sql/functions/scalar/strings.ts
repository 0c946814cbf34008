/** String scalar functions, with ksqlDB's semantics (1-based positions, negative positions from the end). */
import { FunctionError } from '../function-error.js';
import type { FunctionRegistry, ScalarImpl } from '../registry.js';
import { requireBytesLength, requireCollectionSize, requireStringLength } from '../limits.js';
import { javaRegex, type Pattern } from './regex.js';

const str = (v: unknown) => v as string;
const int = (v: unknown) => v as number;

function substringStart(length: number, pos: number): number {
  return pos < 0 ? Math.max(length + pos, 0) : Math.max(Math.min(pos - 1, length), 0);
}

function substringEnd(length: number, start: number, len: number): number {
  return Math.max(Math.min(start + len, length), start);
}

/** Java's String.trim: strips chars <= U+0020 at both ends (or one; a loop, not a backtracking RegExp). */
function javaTrim(s: string, start = true, end = true): string {
  let a = 0;
  let b = s.length;
  if (start) while (a < b && s.charCodeAt(a) <= 32) a++;
  if (end) while (b > a && s.charCodeAt(b - 1) <= 32) b--;
  return s.slice(a, b);
}

function ordinalIndexOf(s: string, sub: string, occurrence: number): number {
  if (occurrence < 1) return -1;
  // The empty string occurs at every position (and, past the end, at the end).
  if (sub.length === 0) return Math.min(occurrence - 1, s.length);
  let from = 0;
  let found = -1;
  for (let n = 0; n < occurrence; n++) {
    found = s.indexOf(sub, from);
    if (found < 0) return -1;
    from = found + (sub.length === 0 ? 1 : sub.length);
  }
  return found;
}

function instr(s: string, sub: string, position: number, occurrence: number): number {
  if (Math.abs(position) > s.length) return 0;
  if (position < 0) {
    const rs = [...s].reverse().join('');
    const rsub = [...sub].reverse().join('');
    const p = -position;
    const i = ordinalIndexOf(rs.substring(p - 1), rsub, occurrence);
    return i === -1 ? 0 : rs.length - p - i - rsub.length + 2;
  }
  const i = ordinalIndexOf(s.substring(Math.max(position - 1, 0)), sub, occurrence);
  return i === -1 ? 0 : i + position;
}

function pad(fn: string, input: string, targetLen: number, padding: string, left: boolean): string | null {
  if (padding.length === 0 || targetLen < 0) return null;
  requireStringLength(fn, targetLen);
  const padUpTo = Math.max(targetLen - input.length, 0);
  const fill = padding.repeat(Math.ceil(padUpTo / padding.length)).slice(0, padUpTo);
  return (left ? fill + input : input + fill).slice(0, targetLen);
}

function padBytes(fn: string, input: Buffer, targetLen: number, padding: Buffer, left: boolean): Buffer | null {
  if (padding.length === 0 || targetLen < 0) return null;
  requireBytesLength(fn, targetLen);
  const padUpTo = Math.max(targetLen - input.length, 0);
  const fill = Buffer.alloc(padUpTo);
  for (let i = 0; i < padUpTo; i++) fill[i] = padding[i % padding.length]!;
  return (left ? Buffer.concat([fill, input]) : Buffer.concat([input, fill])).subarray(0, targetLen);
}

const JAVA_ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', "'": "'", '\\': '\\' };

/** Java string-literal unescaping (commons-text unescapeJava): \uXXXX, \n, octal... */
function unescapeJava(s: string): string {
  return s.replace(/\\(u+([0-9a-fA-F]{0,4})|[0-7]{1,3}|.)/g, (all, esc: string, hex: string | undefined) => {
    if (esc.startsWith('u')) {
      if (hex === undefined || hex.length !== 4) throw new FunctionError(`Unable to parse unicode value: ${all}`);
      return String.fromCharCode(parseInt(hex, 16));
    }
    if (/^[0-7]+$/.test(esc)) return String.fromCharCode(parseInt(esc, 8));
    return JAVA_ESCAPES[esc] ?? esc;
  });
}

/** NULL-skipping join with the size checked before anything is built. */
function joinStrings(fn: string, parts: readonly unknown[], separator: string): string {
  let length = 0;
  let count = 0;
  for (const p of parts) if (p !== null) length += (p as string).length + (count++ > 0 ? separator.length : 0);
  requireStringLength(fn, length);
  let out = '';
  let first = true;
  for (const p of parts) {
    if (p === null) continue;
    out += first ? (p as string) : separator + (p as string);
    first = false;
  }
  return out;
}

function joinBytes(fn: string, parts: readonly unknown[], separator: Buffer): Buffer {
  const present = parts.filter((p): p is Buffer => p !== null);
  requireBytesLength(fn, present.reduce((n, p) => n + p.length, 0) + Math.max(present.length - 1, 0) * separator.length);
  return Buffer.concat(separator.length === 0 ? present : present.flatMap((p, i) => (i === 0 ? [p] : [separator, p])));
}

/** REPLACE: every occurrence of a literal, with the result size checked before it is built. */
function replaceAll(s: string, search: string, replacement: string): string {
  const parts = s.split(search);
  requireStringLength('REPLACE', s.length + (parts.length - 1) * (replacement.length - search.length));
  return parts.join(replacement);
}

/** Splits on a literal delimiter; an empty delimiter splits into characters (Java's split("")). */
function splitLiteral(s: string, delimiter: string): string[] {
  if (delimiter === '') return s === '' ? [''] : [...s];
  return s.split(delimiter);
}

/** Splits bytes at every occurrence of the delimiter; an empty delimiter splits every byte. */
function splitBytes(b: Buffer, delimiter: Buffer): Buffer[] {
  if (b.length === 0) return [Buffer.alloc(0)];
  if (delimiter.length === 0) return [...b].map((x) => Buffer.from([x]));
  const out: Buffer[] = [];
  let offset = 0;
  for (let i = b.indexOf(delimiter, offset); i >= 0; i = b.indexOf(delimiter, offset)) {
    out.push(Buffer.from(b.subarray(offset, i)));
    offset = i + delimiter.length;
  }
  out.push(Buffer.from(b.subarray(offset)));
  return out;
}

export function registerStringFunctions(r: FunctionRegistry): void {
  r.registerScalar({ name: 'UCASE', overloads: [{ params: ['STRING'], returns: 'STRING', impl: ([s]) => str(s).toUpperCase() }] });
  r.registerScalar({ name: 'LCASE', overloads: [{ params: ['STRING'], returns: 'STRING', impl: ([s]) => str(s).toLowerCase() }] });
  r.registerScalar({
    name: 'LEN',
    overloads: [
      { params: ['STRING'], returns: 'INTEGER', impl: ([s]) => str(s).length },
      { params: ['BYTES'], returns: 'INTEGER', impl: ([b]) => (b as Buffer).length },
    ],
  });
  r.registerScalar({ name: 'TRIM', overloads: [{ params: ['STRING'], returns: 'STRING', impl: ([s]) => javaTrim(str(s)) }] });
  r.registerScalar({ name: 'LTRIM', overloads: [{ params: ['STRING'], returns: 'STRING', impl: ([s]) => javaTrim(str(s), true, false) }] });
  r.registerScalar({ name: 'RTRIM', overloads: [{ params: ['STRING'], returns: 'STRING', impl: ([s]) => javaTrim(str(s), false, true) }] });
  r.registerScalar({
    name: 'CONCAT',
    overloads: [
      { params: ['STRING'], variadic: true, returns: 'STRING', nullTolerant: true, impl: (args) => joinStrings('CONCAT', args, '') },
      {
        params: ['BYTES'],
        variadic: true,
        returns: 'BYTES',
        nullTolerant: true,
        impl: (args) => joinBytes('CONCAT', args, Buffer.alloc(0)),
      },
    ],
  });
  r.registerScalar({
    name: 'CONCAT_WS',
    overloads: [
      {
        params: ['STRING', 'STRING'],
        variadic: true,
        returns: 'STRING',
        nullTolerant: true,
        impl: (args) => (args[0] === null ? null : joinStrings('CONCAT_WS', args.slice(1), str(args[0]))),
      },
      {
        params: ['BYTES', 'BYTES'],
        variadic: true,
        returns: 'BYTES',
        nullTolerant: true,
        impl: (args) => (args[0] === null ? null : joinBytes('CONCAT_WS', args.slice(1), args[0] as Buffer)),
      },
    ],
  });
  r.registerScalar({
    name: 'SUBSTRING',
    overloads: [
      {
        params: ['STRING', 'INTEGER'],
        returns: 'STRING',
        impl: ([s, p]) => str(s).substring(substringStart(str(s).length, int(p))),
      },
      {
        params: ['STRING', 'INTEGER', 'INTEGER'],
        returns: 'STRING',
        impl: ([s, p, l]) => {
          const start = substringStart(str(s).length, int(p));
          return str(s).substring(start, substringEnd(str(s).length, start, int(l)));
        },
      },
      {
        params: ['BYTES', 'INTEGER'],
        returns: 'BYTES',
        impl: ([b, p]) => Buffer.from((b as Buffer).subarray(substringStart((b as Buffer).length, int(p)))),
      },
      {
        params: ['BYTES', 'INTEGER', 'INTEGER'],
        returns: 'BYTES',
        impl: ([b, p, l]) => {
          const buf = b as Buffer;
          const start = substringStart(buf.length, int(p));
          return Buffer.from(buf.subarray(start, substringEnd(buf.length, start, int(l))));
        },
      },
    ],
  });
  r.registerScalar({
    name: 'REPLACE',
    overloads: [{ params: ['STRING', 'STRING', 'STRING'], returns: 'STRING', impl: ([s, a, b]) => replaceAll(str(s), str(a), str(b)) }],
  });
  r.registerScalar({
    name: 'SPLIT',
    overloads: [
      { params: ['STRING', 'STRING'], returns: 'ARRAY<STRING>', impl: ([s, d]) => splitLiteral(str(s), str(d)) },
      { params: ['BYTES', 'BYTES'], returns: 'ARRAY<BYTES>', impl: ([b, d]) => splitBytes(b as Buffer, d as Buffer) },
    ],
  });
  r.registerScalar({
    name: 'SPLIT_TO_MAP',
    overloads: [
      {
        params: ['STRING', 'STRING', 'STRING'],
        returns: 'MAP<STRING, STRING>',
        impl: ([s, entryDelim, kvDelim]) => {
          const out = new Map<string, string>();
          if (str(entryDelim) === '' || str(kvDelim) === '') return null;
          for (const entry of str(s).split(str(entryDelim))) {
            if (entry === '') continue;
            // ksqlDB splits the entry at every kvDelim and keeps the first two parts.
            const parts = entry.split(str(kvDelim));
            if (parts.length < 2) continue;
            out.set(parts[0]!, parts[1]!);
          }
          return out;
        },
      },
    ],
  });
  const instrImpl: ScalarImpl = ([s, sub, pos, occ]) => instr(str(s), str(sub), pos === undefined ? 1 : int(pos), occ === undefined ? 1 : int(occ));
  r.registerScalar({
    name: 'INSTR',
    overloads: [
      { params: ['STRING', 'STRING'], returns: 'INTEGER', nullTolerant: true, impl: (a) => (a[0] === null || a[1] === null ? 0 : instrImpl(a)) },
      { params: ['STRING', 'STRING', 'INTEGER'], returns: 'INTEGER', nullTolerant: true, impl: (a) => (a[0] === null || a[1] === null ? 0 : instrImpl(a)) },
      { params: ['STRING', 'STRING', 'INTEGER', 'INTEGER'], returns: 'INTEGER', nullTolerant: true, impl: (a) => (a[0] === null || a[1] === null ? 0 : instrImpl(a)) },
    ],
  });
  r.registerScalar({
    name: 'INITCAP',
    overloads: [
      {
        params: ['STRING'],
        returns: 'STRING',
        impl: ([s]) => str(s).toLowerCase().replace(/\S+\s*/g, (part) => part.charAt(0).toUpperCase() + part.slice(1)),
      },
    ],
  });
  r.registerScalar({
    name: 'LPAD',
    overloads: [
      { params: ['STRING', 'INTEGER', 'STRING'], returns: 'STRING', impl: ([s, n, p]) => pad('LPAD', str(s), int(n), str(p), true) },
      { params: ['BYTES', 'INTEGER', 'BYTES'], returns: 'BYTES', impl: ([b, n, p]) => padBytes('LPAD', b as Buffer, int(n), p as Buffer, true) },
    ],
  });
  r.registerScalar({
    name: 'RPAD',
    overloads: [
      { params: ['STRING', 'INTEGER', 'STRING'], returns: 'STRING', impl: ([s, n, p]) => pad('RPAD', str(s), int(n), str(p), false) },
      { params: ['BYTES', 'INTEGER', 'BYTES'], returns: 'BYTES', impl: ([b, n, p]) => padBytes('RPAD', b as Buffer, int(n), p as Buffer, false) },
    ],
  });
  r.registerScalar({
    name: 'ELT',
    overloads: [
      {
        params: ['INTEGER', 'STRING'],
        variadic: true,
        returns: 'STRING',
        nullTolerant: true,
        impl: (args) => {
          const n = args[0];
          if (n === null || int(n) < 1 || int(n) >= args.length) return null;
          return args[int(n)] ?? null;
        },
      },
    ],
  });
  r.registerScalar({
    name: 'FIELD',
    overloads: [
      {
        params: ['STRING', 'STRING'],
        variadic: true,
        returns: 'INTEGER',
        nullTolerant: true,
        impl: (args) => {
          const s = args[0];
          if (s === null) return 0;
          for (let i = 1; i < args.length; i++) if (args[i] === s) return i;
          return 0;
        },
      },
    ],
  });
  r.registerScalar({
    name: 'CHR',
    overloads: [
      { params: ['INTEGER'], returns: 'STRING', impl: ([c]) => (int(c) < 0 || int(c) > 0x10ffff ? null : String.fromCodePoint(int(c))) },
      {
        params: ['STRING'],
        returns: 'STRING',
        // ksqlDB: text starting with \u, unescaped as Java source (so surrogate pairs work).
        impl: ([s]) => (str(s).length < 6 || !str(s).startsWith('\\u') ? null : unescapeJava(str(s))),
      },
    ],
  });
  r.registerScalar({ name: 'UUID', deterministic: false, overloads: [{ params: [], returns: 'STRING', impl: () => crypto.randomUUID() }] });
  registerRegexFunctions(r);
}

function regexFactory(name: string, patternIndex: number, build: (re: Pattern, args: unknown[]) => unknown): (ctx: { constants: readonly unknown[] }) => ScalarImpl {
  return ({ constants }) => {
    const constant = constants[patternIndex];
    const fixed = typeof constant === 'string' ? javaRegex(constant, name) : undefined;
    return (args) => build(fixed ?? javaRegex(str(args[patternIndex]), name), args);
  };
}

function requireGroup(re: Pattern, group: number): void {
  if (group < 0 || group > re.groupCount()) throw new FunctionError(`No group ${group}`);
}

function registerRegexFunctions(r: FunctionRegistry): void {
  // Java's Matcher.find(): the first match anywhere; a group that did not take part is NULL.
  // re.test() runs on RE2's DFA, several times faster than a matcher with groups: inputs that do
  // not match (the usual case for a filter-like use) skip the matcher.
  const extract = (re: Pattern, s: string, group: number): string | null => {
    if (!re.test(s)) return null;
    const m = re.matcher(s);
    if (!m.find()) return null;
    requireGroup(re, group);
    return m.group(group);
  };
  r.registerScalar({
    name: 'REGEXP_EXTRACT',
    overloads: [
      { params: ['STRING', 'STRING'], returns: 'STRING', factory: regexFactory('REGEXP_EXTRACT', 0, (re, [, s]) => extract(re, str(s), 0)) },
      { params: ['STRING', 'STRING', 'INTEGER'], returns: 'STRING', factory: regexFactory('REGEXP_EXTRACT', 0, (re, [, s, g]) => extract(re, str(s), int(g))) },
    ],
  });
  const extractAll = (re: Pattern, s: string, group: number): (string | null)[] => {
    const out: (string | null)[] = [];
    const m = re.matcher(s);
    while (m.find()) {
      requireGroup(re, group);
      out.push(m.group(group));
      requireCollectionSize('REGEXP_EXTRACT_ALL', out.length);
    }
    return out;
  };
  r.registerScalar({
    name: 'REGEXP_EXTRACT_ALL',
    overloads: [
      { params: ['STRING', 'STRING'], returns: 'ARRAY<STRING>', factory: regexFactory('REGEXP_EXTRACT_ALL', 0, (re, [, s]) => extractAll(re, str(s), 0)) },
      { params: ['STRING', 'STRING', 'INTEGER'], returns: 'ARRAY<STRING>', factory: regexFactory('REGEXP_EXTRACT_ALL', 0, (re, [, s, g]) => extractAll(re, str(s), int(g))) },
    ],
  });
  r.registerScalar({
    name: 'REGEXP_REPLACE',
    overloads: [
      {
        params: ['STRING', 'STRING', 'STRING'],
        returns: 'STRING',
        // Java's replaceAll: $n / ${name} refer to groups, \$ is a literal $.
        factory: regexFactory('REGEXP_REPLACE', 1, (re, [s, , rep]) => (re.test(str(s)) ? re.matcher(str(s)).replaceAll(str(rep), true) : str(s))),
      },
    ],
  });
  r.registerScalar({
    name: 'REGEXP_SPLIT_TO_ARRAY',
    overloads: [
      {
        params: ['STRING', 'STRING'],
        returns: 'ARRAY<STRING>',
        factory: regexFactory('REGEXP_SPLIT_TO_ARRAY', 1, (re, [s]) => {
          const text = str(s);
          if (re.pattern() === '') return text === '' ? [''] : [...text];
          // Java's Pattern.split(s, -1): groups do not appear in the result, trailing empties stay.
          const out: string[] = [];
          const m = re.matcher(text);
          let last = 0;
          while (m.find()) {
            if (m.end() === m.start()) continue;
            out.push(text.slice(last, m.start()));
            last = m.end();
            requireCollectionSize('REGEXP_SPLIT_TO_ARRAY', out.length);
          }
          out.push(text.slice(last));
          return out;
        }),
      },
    ],
  });
}
