/**
 * The SQL front end's entry point: a session that parses and analyzes scripts statement by
 * statement against its catalog, producing AnalyzedStatements (DDL results and logical plans).
 */
import { StatementAnalyzer, type AnalyzedStatement, type AnalyzerConfig } from './analyzer/statement-analyzer.js';
import { MetaStore } from './analyzer/metastore.js';
import { SqlError } from './errors.js';
import { createFunctionRegistry } from './functions/builtins.js';
import type { FunctionRegistry } from './functions/registry.js';
import { parseStatements } from './parser/parse.js';

export interface SqlSessionOptions extends AnalyzerConfig {
  readonly registry?: FunctionRegistry;
  readonly metastore?: MetaStore;
}

export class SqlSession {
  readonly registry: FunctionRegistry;
  readonly metastore: MetaStore;
  private readonly analyzer: StatementAnalyzer;

  constructor(options: SqlSessionOptions = {}) {
    this.registry = options.registry ?? createFunctionRegistry();
    this.metastore = options.metastore ?? new MetaStore();
    this.analyzer = new StatementAnalyzer(this.metastore, this.registry, options);
  }

  /** Session properties set with SET / UNSET. */
  get properties(): ReadonlyMap<string, string> {
    return this.analyzer.properties;
  }

  /** Forgets a terminated persistent query (it no longer keeps its sources from being dropped). */
  terminateQuery(queryId: string): boolean {
    return this.analyzer.terminate(queryId);
  }

  /**
   * Parses and analyzes a script. Throws a SqlError (with file, line, column and source excerpt;
   * see SqlError.format()) at the first invalid statement; statements before it stay applied.
   */
  execute(text: string, file = '<sql>'): AnalyzedStatement[] {
    const statements = parseStatements(text, { file });
    const out: AnalyzedStatement[] = [];
    for (const st of statements) {
      try {
        out.push(this.analyzer.analyze(st));
      } catch (e) {
        if (e instanceof SqlError) throw e.withSource(file, text);
        throw e;
      }
    }
    return out;
  }
}

/** Analyzes a whole script in a fresh session. */
export function analyzeSql(text: string, file = '<sql>', options: SqlSessionOptions = {}): AnalyzedStatement[] {
  return new SqlSession(options).execute(text, file);
}
