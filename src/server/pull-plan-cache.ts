/**
 * Pull-query plans cached by the query's shape: its tokens with every literal replaced by a
 * placeholder of the literal's kind. Parsing and analyzing a pull query costs ~100 times the
 * store read behind it; lexing it costs ~1/15 of parsing. A query of a known shape reuses the
 * plan when its literals are the plan's, except the key literals of a point read (pull-access.ts
 * keeps them out of the compiled filter), which are bound to the new values: `WHERE K = 'a'` and
 * `WHERE K = 'b'` share one plan.
 */
import type { IToken, TokenType } from 'chevrotain';
import { unquoteString } from '../sql/parser/ast-builder.js';
import { DecimalValue, FloatingPointValue, IntegerValue, StringLiteral, sqlLexer } from '../sql/parser/tokens.js';
import type { Row } from '../sql/expr/compile.js';
import type { Expr } from '../sql/parser/ast.js';
import { NO_POS } from '../sql/errors.js';
import { literalFor, type KeySlot } from './pull-access.js';
import type { PullPlan } from './pull-query.js';

const PLACEHOLDERS = new Map<TokenType, string>([
  [StringLiteral, '\u0001s'],
  [IntegerValue, '\u0001i'],
  [DecimalValue, '\u0001d'],
  [FloatingPointValue, '\u0001f'],
]);

/** A statement's shape and its literal tokens, in order. */
export interface QueryShape {
  readonly text: string;
  readonly literals: readonly IToken[];
}

interface Entry {
  readonly plan: PullPlan;
  /** Per literal: the key slot it fills, or null when the plan holds only for this very literal. */
  readonly slots: readonly (KeySlot | null)[];
  readonly images: readonly string[];
}

/** The shape of a statement, or null when it does not lex (the parser reports that). */
export function queryShape(sql: string): QueryShape | null {
  const lexed = sqlLexer.tokenize(sql);
  if (lexed.errors.length > 0) return null;
  const parts: string[] = [];
  const literals: IToken[] = [];
  for (const t of lexed.tokens) {
    const placeholder = PLACEHOLDERS.get(t.tokenType);
    if (placeholder === undefined) {
      parts.push(t.image);
    } else {
      parts.push(placeholder);
      literals.push(t);
    }
  }
  return { text: parts.join('\u0000'), literals };
}

function literalValue(token: IToken, slot: KeySlot): unknown {
  const e: Expr = token.tokenType === StringLiteral ? { kind: 'StringLiteral', pos: NO_POS, value: unquoteString(token.image) } : { kind: 'IntegerLiteral', pos: NO_POS, text: token.image };
  return literalFor(e, slot.type);
}

export class PullPlanCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 512) {}

  get size(): number {
    return this.entries.size;
  }

  /** The plan of a query of this shape, bound to its literals, or undefined. */
  lookup(shape: QueryShape): PullPlan | undefined {
    const entry = this.entries.get(shape.text);
    if (entry === undefined) return undefined;
    let keys: Row[] | null = null;
    for (let i = 0; i < shape.literals.length; i++) {
      const token = shape.literals[i]!;
      const slot = entry.slots[i]!;
      if (slot === null) {
        if (token.image !== entry.images[i]) return undefined;
        continue;
      }
      const value = literalValue(token, slot);
      if (value === undefined) return undefined;
      if (entry.plan.access.kind !== 'keys') return undefined;
      keys ??= entry.plan.access.keys.map((k) => [...k]);
      keys[slot.key]![slot.column] = value;
    }
    // Most recently used last: the first entry is the one to evict.
    this.entries.delete(shape.text);
    this.entries.set(shape.text, entry);
    return keys === null ? entry.plan : { ...entry.plan, access: { kind: 'keys', keys } };
  }

  remember(shape: QueryShape, plan: PullPlan): void {
    const byOffset = new Map(plan.slots.map((s) => [s.offset, s]));
    let slots = shape.literals.map((t) => byOffset.get(t.startOffset) ?? null);
    // A key literal that is no literal token of its own (a folded sign: -5): bind nothing.
    if (slots.filter((s) => s !== null).length !== plan.slots.length) slots = slots.map(() => null);
    this.entries.set(shape.text, { plan, slots, images: shape.literals.map((t) => t.image) });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
