/**
 * ksqlDB's error responses: `{"@type", "error_code", "message"}` with its codes (40001 a bad
 * statement, 40000 a bad request, 40400 not found, 50000 a server error, 50300 unavailable).
 */
import { SqlError } from '../sql/errors.js';

export class KsqlHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
    readonly type = 'generic_error',
    readonly statementText?: string,
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    const b: Record<string, unknown> = { '@type': this.type, error_code: this.errorCode, message: this.message };
    if (this.statementText !== undefined) {
      b['statementText'] = this.statementText;
      b['entities'] = [];
    }
    return b;
  }
}

export function badRequest(message: string): KsqlHttpError {
  return new KsqlHttpError(400, 40000, message);
}

/** A statement the server cannot run, at its position (`line:col: message`, as ksqlDB words it). */
export function statementError(message: string, sql: string, pos?: { line: number; column: number }): KsqlHttpError {
  return new KsqlHttpError(400, 40001, pos === undefined ? message : `line ${pos.line}:${pos.column}: ${message}`, 'statement_error', sql);
}

/** Any error of a query as ksqlDB's error shape; never a stack trace. */
export function toKsqlError(error: unknown, sql?: string): KsqlHttpError {
  if (error instanceof KsqlHttpError) return error;
  if (error instanceof SqlError) return statementError(error.detail, sql ?? '', error.pos);
  if (error instanceof Error && error.name.endsWith('StateStoreException')) return new KsqlHttpError(503, 50300, error.message);
  return new KsqlHttpError(500, 50000, error instanceof Error ? error.message : String(error));
}
