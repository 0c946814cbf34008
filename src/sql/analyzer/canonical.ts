/**
 * Structural identity of expressions: the formatted text with every column reference replaced by
 * its row index, so `S.A + 1`, `A + 1` and `a+1` over the same scope are "the same expression"
 * (how ksqlDB matches SELECT expressions to GROUP BY / PARTITION BY expressions).
 */
import { SqlError } from '../errors.js';
import type { Expr } from '../parser/ast.js';
import { cachingFormatter } from './expr-format.js';
import type { RowScope } from './scope.js';

/** Marks a column the scope cannot resolve: the expression then has no canonical text. */
const UNRESOLVED = '\u0000';

/** One caching formatter per scope: GROUP BY matching asks for every sub-expression's text. */
const formatters = new WeakMap<RowScope, (e: Expr) => string>();

export function canonicalText(e: Expr, scope: RowScope): string | undefined {
  let format = formatters.get(scope);
  if (format === undefined) {
    format = cachingFormatter((c) => {
      try {
        return `#${scope.resolve(c.name, c.qualifier, c.pos).index}`;
      } catch (err) {
        if (err instanceof SqlError) return UNRESOLVED;
        throw err;
      }
    });
    formatters.set(scope, format);
  }
  const text = format(e);
  return text.includes(UNRESOLVED) ? undefined : text;
}
