import { describe, expect, it } from 'vitest';
import { SqlError } from '../../../src/sql/errors.js';
import { parseStatements } from '../../../src/sql/parser/parse.js';
import { expectSqlError } from './helpers.js';

const parse = (sql: string) => () => parseStatements(sql, { file: 'bad.sql' });

describe('syntax errors', () => {
  it('reports a missing select list', () => {
    expectSqlError(parse('SELECT FROM s;'), "no viable alternative at input 'FROM'", 1, 8);
  });

  it('reports unexpected end of input', () => {
    expectSqlError(parse('CREATE STREAM s (a INT'), "mismatched input '<EOF>' expecting ')'", 1, 23);
  });

  it('reports a missing expression on a later line', () => {
    expectSqlError(parse('SELECT a\nFROM s\nWHERE;'), "no viable alternative at input ';'", 3, 6);
  });

  it('reports extraneous input between statements', () => {
    expectSqlError(parse('SELECT a FROM b c d;'), "extraneous input 'd' expecting ';'", 1, 19);
  });

  it('reports lexical errors', () => {
    expectSqlError(parse('SELECT # FROM x;'), "token recognition error at: '#'", 1, 8);
    expectSqlError(parse("SELECT 'abc FROM x;"), 'unterminated string literal', 1, 8);
    expectSqlError(parse('SELECT `abc FROM x;'), 'unterminated quoted identifier', 1, 8);
  });

  it('rejects bad window definitions', () => {
    expectSqlError(parse('SELECT * FROM s WINDOW TUMBLING (SIZE 1 FORTNIGHT) GROUP BY a;'), 'Invalid time unit: FORTNIGHT', 1, 41);
    expectSqlError(parse('SELECT * FROM s WINDOW HOPPING (SIZE 1 SECOND) GROUP BY a;'), 'HOPPING windows require ADVANCE BY.', 1, 24);
    expectSqlError(parse('SELECT * FROM s WINDOW TUMBLING (SIZE 1 SECOND, ADVANCE BY 1 SECOND) GROUP BY a;'), 'ADVANCE BY is only valid for HOPPING windows.', 1, 49);
    expectSqlError(parse('SELECT * FROM s WINDOW TUMBLING (SIZE 1 SECOND, GRACE PERIOD 1 SECOND, GRACE PERIOD 2 SECONDS) GROUP BY a;'), 'Duplicate GRACE in WINDOW clause.', 1, 72);
  });

  it('rejects columns in CREATE AS SELECT and bad LIKE escapes', () => {
    expectSqlError(parse('CREATE STREAM x (a INT) AS SELECT * FROM s;'), 'CREATE AS SELECT statements cannot define columns.', 1, 17);
    expectSqlError(parse("SELECT * FROM s WHERE a LIKE 'x' ESCAPE 'ab';"), "Escape string must be a single character, got 'ab'", 1, 41);
  });

  it('formats errors with file, line, column and a caret', () => {
    let err: SqlError | undefined;
    try {
      parseStatements("SET 'a'='b';\nSELECT a,\n  FROM s;", { file: 'queries/x.sql' });
    } catch (e) {
      err = e as SqlError;
    }
    expect(err).toBeInstanceOf(SqlError);
    expect(err!.message).toBe("queries/x.sql:3:3: no viable alternative at input 'FROM'");
    expect(err!.format()).toBe("queries/x.sql:3:3: no viable alternative at input 'FROM'\n  FROM s;\n  ^");
  });
});
