/**
 * Renders AST expressions as ksqlDB's ExpressionFormatter does: binary operations parenthesised
 * ("(A + B)"), names quoted with backticks only when needed. Used in error messages, in the
 * `sql` text of compiled expressions, and (with a column renderer) to compare expressions
 * structurally, e.g. a SELECT expression against a GROUP BY expression.
 */
import type { Expr, TypeAst } from '../parser/ast.js';
import { spineSafe } from '../left-spine.js';
import { quoteName } from './schema.js';

export type ColumnRenderer = (e: Extract<Expr, { kind: 'ColumnRef' }>) => string;

const defaultColumn: ColumnRenderer = (e) => (e.qualifier ? `${quoteName(e.qualifier)}.${quoteName(e.name)}` : quoteName(e.name));

export function formatTypeAst(t: TypeAst): string {
  switch (t.kind) {
    case 'PrimitiveType':
      return t.params.length ? `${t.name}(${t.params.join(', ')})` : t.name;
    case 'ArrayType':
      return `ARRAY<${formatTypeAst(t.element)}>`;
    case 'MapType':
      return `MAP<${formatTypeAst(t.key)}, ${formatTypeAst(t.value)}>`;
    case 'StructType':
      return `STRUCT<${t.fields.map((f) => `${quoteName(f.name)} ${formatTypeAst(f.type)}`).join(', ')}>`;
  }
}

/**
 * The operand on a chain's spine: the left operand of a binary operator (`a + b + c ...`) or the
 * base of a field access or subscript (`s->a->b ...`, `a[1][2] ...`), which parse flat.
 */
export function astLeft(e: Expr): Expr | undefined {
  switch (e.kind) {
    case 'Arithmetic':
    case 'Concat':
    case 'Logical':
      return e.left;
    case 'Dereference':
    case 'Subscript':
      return e.base;
    default:
      return undefined;
  }
}

/**
 * A formatter that keeps the text of each AST node while the node lives (nodes are immutable):
 * the analyzer formats every sub-expression, which would otherwise cost time quadratic in the
 * length of a chain. `column` must give the same text for the same node every time.
 */
export function cachingFormatter(column: ColumnRenderer): (e: Expr) => string {
  const f: (e: Expr) => string = spineSafe(astLeft, (e: Expr) => formatNode(e, f, column), { memo: new WeakMap() });
  return f;
}

const defaultFormatter = cachingFormatter(defaultColumn);

export function formatExpr(e: Expr, column: ColumnRenderer = defaultColumn): string {
  if (column === defaultColumn) return defaultFormatter(e);
  const f: (x: Expr) => string = spineSafe(astLeft, (x: Expr) => formatNode(x, f, column));
  return f(e);
}

function formatNode(e: Expr, f: (x: Expr) => string, column: ColumnRenderer): string {
  switch (e.kind) {
    case 'NullLiteral':
      return 'null';
    case 'BooleanLiteral':
      return e.value ? 'true' : 'false';
    case 'IntegerLiteral':
    case 'DecimalLiteral':
    case 'DoubleLiteral':
      return e.text;
    case 'StringLiteral':
      return `'${e.value.replace(/'/g, "''")}'`;
    case 'ColumnRef':
      return column(e);
    case 'Dereference':
      return `${f(e.base)}->${quoteName(e.field)}`;
    case 'Subscript':
      return `${f(e.base)}[${f(e.index)}]`;
    case 'FunctionCall':
      return `${e.name}(${e.star ? '*' : (e.distinct ? 'DISTINCT ' : '') + e.args.map(f).join(', ')})`;
    case 'Lambda':
      return `(${e.params.join(', ')}) => ${f(e.body)}`;
    case 'Arithmetic':
      return `(${f(e.left)} ${e.op} ${f(e.right)})`;
    case 'Concat':
      return `(${f(e.left)} || ${f(e.right)})`;
    case 'Negate':
      return `-${f(e.operand)}`;
    case 'Not':
      return `(NOT ${f(e.operand)})`;
    case 'Logical':
      return `(${f(e.left)} ${e.op} ${f(e.right)})`;
    case 'Comparison':
      return `(${f(e.left)} ${e.op} ${f(e.right)})`;
    case 'Between':
      return `(${f(e.value)}${e.negated ? ' NOT' : ''} BETWEEN ${f(e.low)} AND ${f(e.high)})`;
    case 'InList':
      return `(${f(e.value)}${e.negated ? ' NOT' : ''} IN (${e.list.map(f).join(', ')}))`;
    case 'Like':
      return `(${f(e.value)}${e.negated ? ' NOT' : ''} LIKE ${f(e.pattern)}${e.escape !== undefined ? ` ESCAPE '${e.escape}'` : ''})`;
    case 'IsNull':
      return `(${f(e.value)} IS ${e.negated ? 'NOT ' : ''}NULL)`;
    case 'SearchedCase':
      return `(CASE ${e.whens.map((w) => `WHEN ${f(w.condition)} THEN ${f(w.result)}`).join(' ')}${e.otherwise ? ` ELSE ${f(e.otherwise)}` : ''} END)`;
    case 'SimpleCase':
      return `(CASE ${f(e.operand)} ${e.whens.map((w) => `WHEN ${f(w.value)} THEN ${f(w.result)}`).join(' ')}${e.otherwise ? ` ELSE ${f(e.otherwise)}` : ''} END)`;
    case 'Cast':
      return `CAST(${f(e.expr)} AS ${formatTypeAst(e.type)})`;
    case 'CreateArray':
      return `ARRAY[${e.elements.map(f).join(', ')}]`;
    case 'CreateMap':
      return `MAP(${e.entries.map((x) => `${f(x.key)}:=${f(x.value)}`).join(', ')})`;
    case 'CreateStruct':
      return `STRUCT(${e.fields.map((x) => `${quoteName(x.name)}:=${f(x.value)}`).join(', ')})`;
  }
}

/** Direct sub-expressions of an AST expression. */
export function astChildren(e: Expr): Expr[] {
  switch (e.kind) {
    case 'Dereference':
      return [e.base];
    case 'Subscript':
      return [e.base, e.index];
    case 'FunctionCall':
      return e.args;
    case 'Lambda':
      return [e.body];
    case 'Arithmetic':
    case 'Concat':
    case 'Logical':
    case 'Comparison':
      return [e.left, e.right];
    case 'Negate':
    case 'Not':
      return [e.operand];
    case 'Between':
      return [e.value, e.low, e.high];
    case 'InList':
      return [e.value, ...e.list];
    case 'Like':
      return [e.value, e.pattern];
    case 'IsNull':
      return [e.value];
    case 'SearchedCase':
      return [...e.whens.flatMap((w) => [w.condition, w.result]), ...(e.otherwise ? [e.otherwise] : [])];
    case 'SimpleCase':
      return [e.operand, ...e.whens.flatMap((w) => [w.value, w.result]), ...(e.otherwise ? [e.otherwise] : [])];
    case 'Cast':
      return [e.expr];
    case 'CreateArray':
      return e.elements;
    case 'CreateMap':
      return e.entries.flatMap((x) => [x.key, x.value]);
    case 'CreateStruct':
      return e.fields.map((x) => x.value);
    default:
      return [];
  }
}

/** Visits an expression tree depth-first, parents first; `visit` returning false skips a node's children. */
export function walkExpr(e: Expr, visit: (e: Expr) => boolean | void): void {
  // An explicit stack: chains of thousands of terms are that deep.
  const stack: Expr[] = [e];
  for (let x = stack.pop(); x !== undefined; x = stack.pop()) {
    if (visit(x) === false) continue;
    const children = astChildren(x);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
}
