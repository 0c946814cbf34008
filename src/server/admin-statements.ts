/**
 * ksqlDB's statements about the server rather than the data: SHOW/LIST, DESCRIBE, EXPLAIN,
 * TERMINATE, DEFINE/UNDEFINE, RUN SCRIPT and PRINT. They have no expressions, so they are
 * recognised here from their words; every other statement goes to the SQL parser.
 */
export type ListTarget = 'STREAMS' | 'TABLES' | 'QUERIES' | 'TOPICS' | 'PROPERTIES' | 'VARIABLES' | 'TYPES';

export type AdminStatement =
  | { readonly kind: 'list'; readonly what: ListTarget; readonly extended: boolean; readonly all: boolean }
  | { readonly kind: 'describe'; readonly name: string; readonly extended: boolean }
  | { readonly kind: 'describeAll'; readonly what: 'STREAMS' | 'TABLES'; readonly extended: boolean }
  | { readonly kind: 'explainQuery'; readonly queryId: string }
  | { readonly kind: 'explainStatement'; readonly statement: string }
  | { readonly kind: 'terminate'; readonly queryId: string | null }
  | { readonly kind: 'define'; readonly name: string; readonly value: string }
  | { readonly kind: 'undefine'; readonly name: string }
  | { readonly kind: 'runScript'; readonly file: string }
  | { readonly kind: 'print'; readonly topic: string };

const NAME = '(`[^`]+`|"[^"]+"|[A-Za-z_][A-Za-z0-9_@]*)';

/** An identifier as ksqlDB resolves it: quoted names as written, others upper case. */
export function normalizeName(raw: string): string {
  return /^[`"]/.test(raw) ? raw.slice(1, -1) : raw.toUpperCase();
}

function unquoteString(raw: string): string {
  return raw.slice(1, -1).replace(/''/g, "'");
}

/** The statement as an administrative one, or null when it is for the SQL parser. */
export function parseAdminStatement(text: string): AdminStatement | null {
  const s = text.trim().replace(/;$/, '').trim();
  let m = /^(?:SHOW|LIST)\s+(ALL\s+)?(STREAMS|TABLES|QUERIES|TOPICS|PROPERTIES|VARIABLES|TYPES)(\s+EXTENDED)?$/i.exec(s);
  if (m !== null) return { kind: 'list', what: m[2]!.toUpperCase() as ListTarget, extended: m[3] !== undefined, all: m[1] !== undefined };
  m = /^DESCRIBE\s+(STREAMS|TABLES)(\s+EXTENDED)?$/i.exec(s);
  if (m !== null) return { kind: 'describeAll', what: m[1]!.toUpperCase() as 'STREAMS' | 'TABLES', extended: m[2] !== undefined };
  m = new RegExp(`^DESCRIBE\\s+(EXTENDED\\s+)?${NAME}(\\s+EXTENDED)?$`, 'i').exec(s);
  if (m !== null) return { kind: 'describe', name: normalizeName(m[2]!), extended: m[1] !== undefined || m[3] !== undefined };
  m = /^EXPLAIN\s+([\s\S]+)$/i.exec(s);
  if (m !== null) {
    const rest = m[1]!.trim();
    if (new RegExp(`^${NAME}$`).test(rest) && !/^(SELECT|CREATE|INSERT)$/i.test(rest)) return { kind: 'explainQuery', queryId: normalizeName(rest) };
    return { kind: 'explainStatement', statement: `${rest};` };
  }
  m = new RegExp(`^TERMINATE\\s+${NAME}$`, 'i').exec(s);
  if (m !== null) return { kind: 'terminate', queryId: /^ALL$/i.test(m[1]!) ? null : normalizeName(m[1]!) };
  m = /^DEFINE\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*('(?:[^']|'')*')$/i.exec(s);
  if (m !== null) return { kind: 'define', name: m[1]!.toLowerCase(), value: unquoteString(m[2]!) };
  m = /^UNDEFINE\s+([A-Za-z_][A-Za-z0-9_]*)$/i.exec(s);
  if (m !== null) return { kind: 'undefine', name: m[1]!.toLowerCase() };
  m = /^RUN\s+SCRIPT\s+('(?:[^']|'')*')$/i.exec(s);
  if (m !== null) return { kind: 'runScript', file: unquoteString(m[1]!) };
  m = new RegExp(`^PRINT\\s+(${NAME}|'[^']*')`, 'i').exec(s);
  if (m !== null) return { kind: 'print', topic: m[1]!.startsWith("'") ? unquoteString(m[1]!) : m[1]!.replace(/^[`"]|[`"]$/g, '') };
  return null;
}
