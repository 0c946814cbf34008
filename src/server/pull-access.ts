/**
 * How a pull query reads a table's store, from the conjuncts of its WHERE clause (ksqlDB's key
 * lookups, key ranges and window bounds):
 * - every key column compared with `=` to a literal, or a single key column `IN (...)`: point reads
 *   of those keys (the conjuncts are then consumed: a point read already guarantees them);
 * - the same on a windowed table: a store range per key over its windows, narrowed by integer
 *   `WINDOWSTART` bounds;
 * - a single key column bounded by `<`, `<=`, `>`, `>=` or BETWEEN: a store range, where the key's
 *   serialized order is its SQL order (KAFKA-format STRING keys, non-negative INT/BIGINT keys);
 * - anything else: a scan.
 * Except for consumed key conjuncts, the WHERE still filters every row read: an access only has to
 * read a superset of the answer.
 */
import type { DataSource } from '../sql/analyzer/metastore.js';
import type { Row } from '../sql/expr/compile.js';
import type { Expr } from '../sql/parser/ast.js';
import type { SqlType } from '../sql/types/sql-type.js';

export type PullAccess =
  | { readonly kind: 'keys'; readonly keys: readonly Row[] }
  | { readonly kind: 'windowKeys'; readonly keys: readonly Row[]; readonly startFrom: number; readonly startTo: number }
  | { readonly kind: 'range'; readonly from: Row | null; readonly to: Row | null }
  | { readonly kind: 'scan' };

/** A literal of the SQL text that is a key value: rebinding it gives the plan of the same query for another key. */
export interface KeySlot {
  /** Offset of the literal in the SQL text. */
  readonly offset: number;
  /** Which key (row of `keys`) and which column of it. */
  readonly key: number;
  readonly column: number;
  readonly type: SqlType;
}

export interface AccessPlan {
  readonly access: PullAccess;
  /** Set for `keys` accesses whose literals can be rebound (see pull-plan-cache.ts). */
  readonly slots: readonly KeySlot[];
  /** The WHERE without the conjuncts the access guarantees. */
  readonly where: Expr | undefined;
}

const LONG_MAX = Number.MAX_SAFE_INTEGER;
const INT_MAX = 2 ** 31 - 1;
const LONG_RANGE_MAX = 2n ** 63n - 1n;

/** The typed value of a literal for a key column of this type, or undefined when it is not one. */
export function literalFor(e: Expr, type: SqlType): unknown {
  switch (e.kind) {
    case 'StringLiteral':
      return type.base === 'STRING' ? e.value : undefined;
    case 'IntegerLiteral':
      if (type.base === 'INTEGER') {
        const n = Number(e.text);
        return Number.isInteger(n) && n >= -(INT_MAX + 1) && n <= INT_MAX ? n : undefined;
      }
      if (type.base === 'DOUBLE') return Number(e.text);
      if (type.base === 'BIGINT') {
        const n = BigInt(e.text);
        return n >= -LONG_RANGE_MAX - 1n && n <= LONG_RANGE_MAX ? n : undefined;
      }
      return undefined;
    case 'BooleanLiteral':
      return type.base === 'BOOLEAN' ? e.value : undefined;
    default:
      return undefined;
  }
}

function conjuncts(e: Expr | undefined): Expr[] {
  if (e === undefined) return [];
  if (e.kind === 'Logical' && e.op === 'AND') return [...conjuncts(e.left), ...conjuncts(e.right)];
  return [e];
}

function andAll(parts: readonly Expr[]): Expr | undefined {
  if (parts.length === 0) return undefined;
  return parts.reduce((left, right) => ({ kind: 'Logical', op: 'AND', pos: left.pos, left, right }));
}

const isColumn = (e: Expr, name: string) => e.kind === 'ColumnRef' && e.qualifier === undefined && e.name === name;

/** `column op literal` with the column on either side (the operator turned to read column-first). */
function comparedWith(c: Expr, name: string): { op: string; literal: Expr } | null {
  if (c.kind !== 'Comparison') return null;
  const flip: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=' };
  if (isColumn(c.left, name)) return flip[c.op] === undefined ? null : { op: c.op, literal: c.right };
  if (isColumn(c.right, name)) return flip[c.op] === undefined ? null : { op: flip[c.op]!, literal: c.left };
  return null;
}

/** Keys pinned by equalities (every key column) or by one IN list (single key column), with their literals. */
function pinnedKeys(parts: readonly Expr[], key: readonly { name: string; type: SqlType }[]): { keys: Row[]; literals: Expr[][]; used: Set<Expr> } | null {
  const used = new Set<Expr>();
  const row: unknown[] = [];
  const literals: Expr[] = [];
  for (const column of key) {
    let found = false;
    for (const c of parts) {
      const cmp = comparedWith(c, column.name);
      const v = cmp !== null && cmp.op === '=' ? literalFor(cmp.literal, column.type) : undefined;
      if (v === undefined) continue;
      row.push(v);
      literals.push(cmp!.literal);
      used.add(c);
      found = true;
      break;
    }
    if (found) continue;
    if (key.length !== 1) return null;
    for (const c of parts) {
      if (c.kind !== 'InList' || c.negated || !isColumn(c.value, column.name)) continue;
      const values = c.list.map((x) => literalFor(x, column.type));
      if (values.some((v) => v === undefined)) continue;
      return { keys: values.map((v) => [v]), literals: c.list.map((x) => [x]), used: new Set([c]) };
    }
    return null;
  }
  return { keys: [row], literals: [literals], used };
}

/** Integer bounds of WINDOWSTART from `=`, `<`, `<=`, `>`, `>=` and BETWEEN conjuncts. */
function windowStartBounds(parts: readonly Expr[]): { from: number; to: number } {
  let from = 0;
  let to = LONG_MAX;
  const int = (e: Expr) => (e.kind === 'IntegerLiteral' ? Number(e.text) : undefined);
  for (const c of parts) {
    if (c.kind === 'Between' && !c.negated && isColumn(c.value, 'WINDOWSTART')) {
      const lo = int(c.low);
      const hi = int(c.high);
      if (lo !== undefined) from = Math.max(from, lo);
      if (hi !== undefined) to = Math.min(to, hi);
      continue;
    }
    const cmp = comparedWith(c, 'WINDOWSTART');
    const v = cmp === null ? undefined : int(cmp.literal);
    if (v === undefined) continue;
    if (cmp!.op === '=' || cmp!.op === '>=' || cmp!.op === '>') from = Math.max(from, v);
    if (cmp!.op === '=' || cmp!.op === '<=' || cmp!.op === '<') to = Math.min(to, v);
  }
  return { from, to };
}

/** Whether the serialized form of this key column sorts as its SQL values do, for these bound values. */
function orderedBound(v: unknown, type: SqlType): boolean {
  if (type.base === 'STRING') {
    // UTF-8 byte order equals UTF-16 order (SQL's) when the bound has no char at or above U+D800.
    const s = v as string;
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0xd800) return false;
    return true;
  }
  // Big-endian two's complement: byte order is numeric order among non-negative values.
  if (type.base === 'INTEGER') return (v as number) >= 0;
  if (type.base === 'BIGINT') return (v as bigint) >= 0n;
  return false;
}

/** A key range from `<`, `<=`, `>`, `>=` and BETWEEN conjuncts on a single key column, or null. */
function keyRange(parts: readonly Expr[], column: { name: string; type: SqlType }): { from: Row | null; to: Row | null } | null {
  let from: unknown;
  let to: unknown;
  const lower = (v: unknown) => (from = from === undefined || (v as number) > (from as number) ? v : from);
  const upper = (v: unknown) => (to = to === undefined || (v as number) < (to as number) ? v : to);
  for (const c of parts) {
    if (c.kind === 'Between' && !c.negated && isColumn(c.value, column.name)) {
      const lo = literalFor(c.low, column.type);
      const hi = literalFor(c.high, column.type);
      if (lo !== undefined) lower(lo);
      if (hi !== undefined) upper(hi);
      continue;
    }
    const cmp = comparedWith(c, column.name);
    const v = cmp === null ? undefined : literalFor(cmp.literal, column.type);
    if (v === undefined) continue;
    if (cmp!.op === '>' || cmp!.op === '>=') lower(v);
    else if (cmp!.op === '<' || cmp!.op === '<=') upper(v);
  }
  if (from === undefined && to === undefined) return null;
  if (from !== undefined && !orderedBound(from, column.type)) return null;
  if (to !== undefined && !orderedBound(to, column.type)) return null;
  // Numbers: negative keys sort after every non-negative one, so a range needs a lower bound.
  if (column.type.base !== 'STRING' && from === undefined) return null;
  const top = column.type.base === 'INTEGER' ? INT_MAX : column.type.base === 'BIGINT' ? LONG_RANGE_MAX : undefined;
  return { from: from === undefined ? null : [from], to: to === undefined ? (top === undefined ? null : [top]) : [to] };
}

export function planAccess(where: Expr | undefined, source: DataSource): AccessPlan {
  const parts = conjuncts(where);
  const key = source.schema.key;
  if (key.length === 0) return { access: { kind: 'scan' }, slots: [], where };
  const pinned = pinnedKeys(parts, key);
  if (pinned !== null && source.window !== undefined) {
    const { from, to } = windowStartBounds(parts);
    return { access: { kind: 'windowKeys', keys: pinned.keys, startFrom: from, startTo: to }, slots: [], where };
  }
  if (pinned !== null) {
    const slots: KeySlot[] = [];
    pinned.literals.forEach((row, k) => row.forEach((lit, column) => slots.push({ offset: lit.pos.offset, key: k, column, type: key[column]!.type })));
    return { access: { kind: 'keys', keys: pinned.keys }, slots, where: andAll(parts.filter((c) => !pinned.used.has(c))) };
  }
  if (key.length === 1 && source.window === undefined && source.keyFormat.format === 'KAFKA') {
    const range = keyRange(parts, key[0]!);
    if (range !== null) return { access: { kind: 'range', ...range }, slots: [], where };
  }
  return { access: { kind: 'scan' }, slots: [], where };
}
