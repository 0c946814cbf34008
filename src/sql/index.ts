/**
 * Public surface of the SQL front end (ksqlDB dialect): parse, analyze, logical plans, the
 * function registry, and the ksql-test-runner file support.
 */
export { SqlError, type SourcePos } from './errors.js';
export { parseStatements, parseExpression } from './parser/parse.js';
export type * as Ast from './parser/ast.js';
export { SqlSession, analyzeSql, type SqlSessionOptions } from './session.js';
export type { AnalyzedStatement, AnalyzerConfig } from './analyzer/statementAnalyzer.js';
export { MetaStore, type DataSource, type FormatInfo, type FormatName, type WindowInfo } from './analyzer/metastore.js';
export { formatSchema, type Column, type LogicalSchema, type RowSchema } from './analyzer/schema.js';
export * from './plan/logicalPlan.js';
export { compileExpression, compilePredicate, QueryContext, MemoryProcessingLog, type ProcessingLogger, type ProcessingLogEntry, type Row, type CompiledExpression } from './expr/compile.js';
export { createFunctionRegistry } from './functions/builtins.js';
export {
  FunctionRegistry,
  type Aggregator,
  type AggregateFunctionDef,
  type ScalarFunctionDef,
  type TableFunctionDef,
} from './functions/registry.js';
export { FunctionError } from './functions/functionError.js';
export { Decimal } from './types/decimal.js';
export { formatType, type SqlType } from './types/sqlType.js';
export * from './testrunner/files.js';
export { compareOutputs, compareTopic, matchesValue } from './testrunner/compare.js';
export { topicCatalog, encodeInput, decodeOutput, type CapturedRecord, type TopicInfo } from './testrunner/topics.js';
export { runTestCase, passed, failed, insertValuesRecords, type TestDriver, type DriverFactory, type TestResult } from './testrunner/runner.js';
