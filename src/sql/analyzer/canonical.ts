/**
 * Structural identity of expressions: the formatted text with every column reference replaced by
 * its row index, so `S.A + 1`, `A + 1` and `a+1` over the same scope are "the same expression"
 * (how ksqlDB matches SELECT expressions to GROUP BY / PARTITION BY expressions).
 */
import { SqlError } from '../errors.js';
import type { Expr } from '../parser/ast.js';
import { formatExpr } from './exprFormat.js';
import type { RowScope } from './scope.js';

export function canonicalText(e: Expr, scope: RowScope): string | undefined {
  try {
    return formatExpr(e, (c) => `#${scope.resolve(c.name, c.qualifier, c.pos).index}`);
  } catch (err) {
    if (err instanceof SqlError) return undefined;
    throw err;
  }
}
