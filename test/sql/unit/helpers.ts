/** Shared helpers for the SQL unit tests. */
import { expect } from 'vitest';
import { ExprAnalyzer } from '../../../src/sql/analyzer/expr-analyzer.js';
import type { Column } from '../../../src/sql/analyzer/schema.js';
import { RowScope } from '../../../src/sql/analyzer/scope.js';
import type { AnalyzedStatement } from '../../../src/sql/analyzer/statement-analyzer.js';
import { SqlError } from '../../../src/sql/errors.js';
import { compileExpression, MemoryProcessingLog, QueryContext } from '../../../src/sql/expr/compile.js';
import { createFunctionRegistry } from '../../../src/sql/functions/builtins.js';
import { parseExpression } from '../../../src/sql/parser/parse.js';
import type { PersistentQueryPlan } from '../../../src/sql/analyzer/logical-plan.js';
import { analyzeSql } from '../../../src/sql/session.js';
import type { SqlType } from '../../../src/sql/types/sql-type.js';

export const registry = createFunctionRegistry();

export interface EvalResult {
  value: unknown;
  type: SqlType | null;
  log: MemoryProcessingLog;
}

/** Analyzes and evaluates an expression over one row of the given columns. */
export function evaluate(sql: string, columns: { name: string; type: SqlType }[] = [], row: unknown[] = []): EvalResult {
  const scope = new RowScope({ columns: columns.map((c): Column => ({ ...c, role: 'VALUE', qualifier: 'S' })) }, ['S']);
  const typed = new ExprAnalyzer({ registry, scope, clause: 'SELECT' }).analyze(parseExpression(sql));
  const log = new MemoryProcessingLog();
  const compiled = compileExpression(typed, new QueryContext(log));
  return { value: compiled.evaluate(row), type: typed.type, log };
}

/** Shorthand: the value of a constant expression. */
export function value(sql: string): unknown {
  return evaluate(sql).value;
}

/** Expects `fn` to throw a SqlError with exactly this message at line:col. */
export function expectSqlError(fn: () => unknown, message: string, line: number, column: number): SqlError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected a SqlError "${message}"`).toBeInstanceOf(SqlError);
  const err = caught as SqlError;
  expect(err.detail).toBe(message);
  expect([err.pos.line, err.pos.column]).toEqual([line, column]);
  return err;
}

export function queries(sql: string): PersistentQueryPlan[] {
  return analyzeSql(sql, 'test.sql')
    .filter((s): s is Extract<AnalyzedStatement, { kind: 'query' }> => s.kind === 'query')
    .map((s) => s.plan);
}

export function lastQuery(sql: string): PersistentQueryPlan {
  const all = queries(sql);
  return all[all.length - 1]!;
}

/** `NAME TYPE [KEY]` list of a plan's sink schema. */
export function sinkColumns(plan: PersistentQueryPlan): string[] {
  return [
    ...plan.sink.schema.key.map((c) => `${c.name} ${typeText(c.type)} KEY`),
    ...plan.sink.schema.value.map((c) => `${c.name} ${typeText(c.type)}`),
  ];
}

import { formatType } from '../../../src/sql/types/sql-type.js';
function typeText(t: SqlType): string {
  return formatType(t);
}
