/**
 * The public SQL API (ksqlDB dialect), as `kstream` exposes it through `loadSql()`: parse and
 * analyze scripts, extend the function registry, compile persistent queries to topologies, run
 * ksql-test-runner cases in process. Loaded on demand: the parser's construction is not free.
 */
export { SqlSession, analyzeSql, type SqlSessionOptions } from './session.js';
export { SqlError, type SourcePos } from './errors.js';
export { createFunctionRegistry } from './functions/builtins.js';
export { FunctionRegistry, type Aggregator, type AggregateFunctionDef, type ScalarFunctionDef, type TableFunctionDef } from './functions/registry.js';
export { FunctionError } from './functions/function-error.js';
export { Decimal } from './types/decimal.js';
export { formatType, type SqlType } from './types/sql-type.js';
export { describePlan, type PersistentQueryPlan } from './analyzer/logical-plan.js';
export type { AnalyzedStatement } from './analyzer/statement-analyzer.js';
export { buildQueryTopology, buildScriptTopology, type PlannerOptions } from './planner/topology.js';
export { planScript, type ScriptPlan } from './planner/script.js';
export { QueryTestDriver } from './testrunner/query-test-driver.js';
export { runTestCase, type TestResult } from './testrunner/runner.js';
export { loadTestCase, parseInputFile, parseOutputFile, type TestCaseFiles } from './testrunner/files.js';
