import { describe, expect, it } from 'vitest';
import { SqlError } from '../../../src/sql/errors.js';
import { analyzeSql } from '../../../src/sql/session.js';
import { expectSqlError } from './helpers.js';

/** Two DDL lines, so the statement under test starts on line 3. */
const DDL = [
  "CREATE STREAM s (id INT KEY, name STRING, v INT, ts BIGINT, tags ARRAY<STRING>) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON');",
  "CREATE TABLE t (id INT PRIMARY KEY, city STRING, n BIGINT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON'); CREATE STREAM s2 (id INT KEY, w INT) WITH (KAFKA_TOPIC='s2', VALUE_FORMAT='JSON');",
].join('\n');

const run = (stmt: string) => () => analyzeSql(`${DDL}\n${stmt}`, 'q.sql');

describe('source errors', () => {
  it('rejects unknown sources', () => {
    expectSqlError(run('CREATE STREAM o AS SELECT * FROM nope;'), 'NOPE does not exist.', 3, 34);
    expectSqlError(run('INSERT INTO nope SELECT * FROM s;'), 'NOPE does not exist.', 3, 13);
    expectSqlError(run('DROP STREAM nope;'), 'Source NOPE does not exist.', 3, 13);
    expectSqlError(run('CREATE STREAM o AS SELECT * FROM s JOIN nope WITHIN 1 SECOND ON s.id = nope.id;'), 'NOPE does not exist.', 3, 41);
  });

  it('rejects duplicate names and mismatched DROP', () => {
    expectSqlError(run("CREATE STREAM s (a INT) WITH (KAFKA_TOPIC='x', VALUE_FORMAT='JSON');"), "Cannot add stream 'S': A stream with the same name already exists", 3, 15);
    expectSqlError(run("CREATE TABLE s AS SELECT id, COUNT(*) FROM s GROUP BY id;"), "Cannot add table 'S': A stream with the same name already exists", 3, 14);
    expectSqlError(run('DROP TABLE s;'), 'Incompatible data source type is STREAM, but statement was DROP TABLE', 3, 12);
  });

  it('rejects dropping a source that queries read', () => {
    expectSqlError(
      run('CREATE STREAM o AS SELECT * FROM s; DROP STREAM s;'),
      'Cannot drop S.\nThe following streams and/or tables read from this source: [O].\nYou need to drop them before dropping S.',
      3,
      49,
    );
  });
});

describe('CREATE errors', () => {
  it('requires columns, KAFKA_TOPIC and VALUE_FORMAT', () => {
    expectSqlError(run("CREATE STREAM x WITH (KAFKA_TOPIC='x', VALUE_FORMAT='JSON');"), 'The statement does not define any columns.', 3, 15);
    expectSqlError(run("CREATE STREAM x (a INT) WITH (VALUE_FORMAT='JSON');"), 'Missing required property "KAFKA_TOPIC" which has no default value.', 3, 1);
    expectSqlError(
      run("CREATE STREAM x (a INT) WITH (KAFKA_TOPIC='x');"),
      "Statement is missing the 'VALUE_FORMAT' property from the WITH clause. Either provide one or set a default via the 'ksql.persistence.default.format.value' config.",
      3,
      1,
    );
  });

  it('requires a PRIMARY KEY on tables and KEY on streams', () => {
    expectSqlError(run("CREATE TABLE x (a INT) WITH (KAFKA_TOPIC='x', VALUE_FORMAT='JSON');"), 'Tables require a PRIMARY KEY. Please define the PRIMARY KEY.', 3, 17);
    expectSqlError(
      run("CREATE STREAM x (a INT PRIMARY KEY) WITH (KAFKA_TOPIC='x', VALUE_FORMAT='JSON');"),
      "Column A is a 'PRIMARY KEY' column: please use 'KEY' for streams.\nTables have PRIMARY KEYs, which are unique and NON NULL.\nStreams have KEYs, which have no uniqueness or NON NULL constraints.",
      3,
      18,
    );
    expectSqlError(
      run("CREATE TABLE x (a INT KEY) WITH (KAFKA_TOPIC='x', VALUE_FORMAT='JSON');"),
      "Column A is a 'KEY' column: please use 'PRIMARY KEY' for tables.\nTables have PRIMARY KEYs, which are unique and NON NULL.\nStreams have KEYs, which have no uniqueness or NON NULL constraints.",
      3,
      17,
    );
  });

  it('rejects duplicate and reserved column names', () => {
    expectSqlError(run("CREATE STREAM x (a INT, a STRING) WITH (KAFKA_TOPIC='x', VALUE_FORMAT='JSON');"), 'Duplicate column names: A', 3, 25);
    expectSqlError(run("CREATE STREAM x (rowtime BIGINT) WITH (KAFKA_TOPIC='x', VALUE_FORMAT='JSON');"), "'ROWTIME' is a reserved column name. You cannot use it as a name for a column.", 3, 18);
  });

  it('validates properties and formats', () => {
    expectSqlError(run("CREATE STREAM x (a INT) WITH (KAFKA_TOPIC='x', VALUE_FORMAT='JSON', FOO='bar');"), 'Invalid config variable(s) in the WITH clause: FOO', 3, 69);
    expectSqlError(run("CREATE STREAM x (a INT) WITH (KAFKA_TOPIC='x', VALUE_FORMAT='XML');"), 'Unknown format: XML', 3, 48);
    expectSqlError(
      run("CREATE STREAM x (a INT, b INT) WITH (KAFKA_TOPIC='x', VALUE_FORMAT='KAFKA');"),
      "The 'KAFKA' format only supports a single field. Got: [`A` INTEGER, `B` INTEGER]",
      3,
      1,
    );
    expectSqlError(run("CREATE STREAM x (a ARRAY<INT>) WITH (KAFKA_TOPIC='x', VALUE_FORMAT='DELIMITED');"), "The 'DELIMITED' format does not support type 'ARRAY', column: `A`", 3, 1);
    expectSqlError(
      run("CREATE STREAM x (a INT) WITH (KAFKA_TOPIC='x', VALUE_FORMAT='DELIMITED', VALUE_DELIMITER='ab');"),
      "Configuration VALUE_DELIMITER is invalid: Invalid delimiter value: 'ab'. Delimiter must be a single character or TAB,SPACE\nExample valid value: ';'",
      3,
      74,
    );
    expectSqlError(
      run("CREATE STREAM x (a INT) WITH (KAFKA_TOPIC='x', FORMAT='JSON', VALUE_FORMAT='JSON');"),
      "Cannot supply both 'VALUE_FORMAT' and 'FORMAT' properties, as 'FORMAT' sets both key and value formats. Either use just 'FORMAT', or use 'KEY_FORMAT' and 'VALUE_FORMAT'.",
      3,
      48,
    );
    expectSqlError(
      run("CREATE STREAM x (a INT) WITH (KAFKA_TOPIC='x', VALUE_FORMAT='JSON', TIMESTAMP='nope');"),
      "The TIMESTAMP column set in the WITH clause does not exist in the schema: 'NOPE'",
      3,
      69,
    );
    expectSqlError(run("CREATE STREAM x (a DECIMAL(2, 3)) WITH (KAFKA_TOPIC='x', VALUE_FORMAT='JSON');"), 'DECIMAL precision must be >= scale: DECIMAL(2, 3)', 3, 20);
    expectSqlError(run("CREATE STREAM x (a FLOAT) WITH (KAFKA_TOPIC='x', VALUE_FORMAT='JSON');"), 'Unknown type: FLOAT', 3, 20);
  });
});

describe('query errors', () => {
  it('rejects unknown columns with their position', () => {
    expectSqlError(run('CREATE STREAM o AS SELECT id, nope FROM s;'), "SELECT column 'NOPE' cannot be resolved.", 3, 31);
    expectSqlError(run('CREATE STREAM o AS SELECT id FROM s WHERE nope > 1;'), "Column 'NOPE' cannot be resolved.", 3, 43);
    expectSqlError(run('CREATE STREAM o AS SELECT s.id, x.name FROM s;'), "'X' is not a valid stream/table name or alias.", 3, 33);
  });

  it('rejects type errors', () => {
    expectSqlError(run("CREATE STREAM o AS SELECT id FROM s WHERE name > 1;"), "Cannot compare NAME (STRING) to 1 (INTEGER) with GREATER_THAN.", 3, 43);
    expectSqlError(run('CREATE STREAM o AS SELECT id FROM s WHERE v;'), 'Type error in WHERE expression: Should evaluate to boolean but is V (INTEGER) instead.', 3, 43);
    expectSqlError(run('CREATE STREAM o AS SELECT id, name + v FROM s;'), 'Unsupported arithmetic types. STRING INTEGER', 3, 31);
  });

  it('rejects unknown functions and wrong arguments', () => {
    expectSqlError(run('CREATE STREAM o AS SELECT id, FOO(v) FROM s;'), "Can't find any functions with the name 'FOO'", 3, 31);
    expectSqlError(run('CREATE STREAM o AS SELECT id, LEN(v) FROM s;'), "Function 'LEN' does not accept parameters (INTEGER).\nValid alternatives are:\nLEN(STRING)\nLEN(BYTES)", 3, 31);
    expectSqlError(run('CREATE STREAM o AS SELECT id, UCASE() FROM s;'), "Function 'UCASE' does not accept parameters ().\nValid alternatives are:\nUCASE(STRING)", 3, 31);
  });

  it('enforces GROUP BY rules', () => {
    expectSqlError(
      run('CREATE TABLE o AS SELECT id, name, COUNT(*) FROM s GROUP BY id;'),
      'Non-aggregate SELECT expression(s) not part of GROUP BY: NAME\nEither add the column(s) to the GROUP BY or remove them from the SELECT.',
      3,
      26,
    );
    expectSqlError(
      run('CREATE TABLE o AS SELECT id, COUNT(*) FROM s GROUP BY id HAVING v > 1;'),
      'Non-aggregate HAVING expression not part of GROUP BY: V\nConsider switching the HAVING clause to a WHERE clause before the GROUP BY.',
      3,
      65,
    );
    expectSqlError(run('CREATE TABLE o AS SELECT id, COUNT(*) FROM s WHERE COUNT(*) > 1 GROUP BY id;'), 'Aggregate functions can not be used in the WHERE clause: COUNT(*)', 3, 52);
    expectSqlError(run('CREATE TABLE o AS SELECT COUNT(*) FROM s GROUP BY COUNT(*);'), 'GROUP BY does not support aggregate functions: COUNT is an aggregate function.', 3, 51);
    expectSqlError(run('CREATE TABLE o AS SELECT id FROM s GROUP BY id;'), 'GROUP BY requires aggregate functions in either the SELECT or HAVING clause.', 3, 19);
    expectSqlError(run('CREATE TABLE o AS SELECT id, SUM(COUNT(*)) FROM s GROUP BY id;'), 'Aggregate functions can not be nested: SUM(COUNT())', 3, 34);
    expectSqlError(run('CREATE TABLE o AS SELECT COUNT(*) FROM s;'), 'CREATE TABLE AS SELECT statement does not support aggregate function COUNT without a GROUP BY clause.', 3, 19);
    expectSqlError(
      run('CREATE TABLE o AS SELECT name, COUNT(*) FROM s GROUP BY id, name;'),
      'Key missing from projection (ie, SELECT). \nThe query used to build `O` must include the grouping expression ID in its projection (eg, SELECT ID...).',
      3,
      19,
    );
  });

  it('enforces window rules', () => {
    expectSqlError(run('CREATE STREAM o AS SELECT id FROM s WINDOW TUMBLING (SIZE 1 SECOND);'), 'WINDOW clause requires a GROUP BY clause.', 3, 44);
    expectSqlError(run('CREATE TABLE o AS SELECT id, COUNT(*) FROM t WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY id;'), 'Windowing not supported for table aggregations.', 3, 53);
    expectSqlError(run('CREATE TABLE o AS SELECT id, COUNT(*) FROM s GROUP BY id EMIT FINAL;'), 'EMIT FINAL is only supported for windowed aggregations.', 3, 19);
    expectSqlError(
      run('CREATE TABLE o AS SELECT id, MIN(WINDOWSTART) FROM s WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY id;'),
      'Window bounds column WINDOWSTART can only be used in the SELECT clause of windowed aggregations and can not be passed to aggregate functions.See https://github.com/confluentinc/ksql/issues/4397',
      3,
      34,
    );
    expectSqlError(run('CREATE STREAM o AS SELECT id, WINDOWSTART AS ws FROM s;'), "SELECT column 'WINDOWSTART' cannot be resolved.", 3, 31);
  });

  it('rejects table aggregations that cannot undo', () => {
    expectSqlError(
      run('CREATE TABLE o AS SELECT city, MIN(n), MAX(n) FROM t GROUP BY city;'),
      'The aggregation functions MIN and MAX cannot be applied to a table source, only to a stream source.',
      3,
      19,
    );
  });

  it('checks result types against CREATE STREAM/TABLE', () => {
    expectSqlError(
      run('CREATE STREAM o AS SELECT id, COUNT(*) FROM s GROUP BY id;'),
      'Invalid result type. Your SELECT query produces a TABLE. Please use CREATE TABLE AS SELECT statement instead.',
      3,
      20,
    );
    expectSqlError(
      run('CREATE TABLE o AS SELECT * FROM s;'),
      'Invalid result type. Your SELECT query produces a STREAM. Please use CREATE STREAM AS SELECT statement instead.',
      3,
      19,
    );
    expectSqlError(run('INSERT INTO t SELECT * FROM t;'), 'INSERT INTO can only be used to insert into a stream. T is a table.', 3, 13);
  });

  it('requires keys in the projection', () => {
    expectSqlError(
      run('CREATE STREAM o AS SELECT name FROM s;'),
      'Key missing from projection (ie, SELECT). \nThe query used to build `O` must include the key column ID in its projection (eg, SELECT ID...).',
      3,
      20,
    );
    expectSqlError(
      run('CREATE STREAM o AS SELECT id FROM s PARTITION BY name;'),
      'Key missing from projection (ie, SELECT). \nThe query used to build `O` must include the partitioning expression NAME in its projection (eg, SELECT NAME...).',
      3,
      20,
    );
    expectSqlError(
      run('CREATE STREAM o AS SELECT s.name FROM s JOIN s2 WITHIN 1 SECOND ON s.id = s2.id;'),
      'Key missing from projection (ie, SELECT). \nThe query used to build `O` must include the join expressions S.ID or S2.ID in its projection (eg, SELECT S.ID...).',
      3,
      20,
    );
  });

  it('enforces join rules', () => {
    expectSqlError(
      run('CREATE STREAM o AS SELECT s.id FROM s JOIN s2 ON s.id = s2.id;'),
      'Stream-Stream joins must have a WITHIN clause specified. None was provided. To learn about how to specify a WITHIN clause with a stream-stream join, please visit: https://docs.confluent.io/current/ksql/docs/syntax-reference.html#create-stream-as-select',
      3,
      39,
    );
    expectSqlError(
      run('CREATE STREAM o AS SELECT s.id FROM s JOIN t WITHIN 1 SECOND ON s.id = t.id;'),
      'A window definition was provided for a Stream-Table join. These joins are not windowed. Please drop the window definition (i.e. the WITHIN clause) and try to execute your Stream-Table join again.',
      3,
      53,
    );
    expectSqlError(
      run('CREATE STREAM o AS SELECT t.id FROM t JOIN s ON s.id = t.id;'),
      'Invalid join order: table-stream joins are not supported; only stream-table joins. Got T [INNER] JOIN S.',
      3,
      39,
    );
    expectSqlError(
      run('CREATE STREAM o AS SELECT s.id FROM s FULL OUTER JOIN t ON s.id = t.id;'),
      'Invalid join type: full-outer join not supported for Stream-Table join. Got S [FULL] OUTER JOIN T.',
      3,
      39,
    );
    expectSqlError(
      run('CREATE STREAM o AS SELECT s.id FROM s JOIN t ON s.name = t.city;'),
      "Invalid join condition: stream-table joins require to join on the table's primary key. Got S.NAME = T.CITY.",
      3,
      49,
    );
    expectSqlError(
      run('CREATE STREAM o AS SELECT s.id FROM s JOIN s2 WITHIN 1 SECOND ON s.name = s2.id;'),
      "Invalid join condition: types don't match. Got S.NAME{STRING} = S2.ID{INTEGER}.",
      3,
      66,
    );
    expectSqlError(run('CREATE STREAM o AS SELECT s.id FROM s JOIN s2 WITHIN 1 SECOND ON s.id > s2.id;'), 'Unsupported join expression: (S.ID > S2.ID)', 3, 66);
  });

  it('rejects reserved and duplicate output names', () => {
    expectSqlError(run('CREATE STREAM o AS SELECT id, ROWTIME FROM s;'), 'Reserved column name in select: `ROWTIME`. Please remove or alias the column.', 3, 31);
    expectSqlError(run('CREATE STREAM o AS SELECT id, v AS rowtime FROM s;'), '`ROWTIME` is a reserved column name. You cannot use it as an alias for a column.', 3, 31);
    expectSqlError(run('CREATE STREAM o AS SELECT id, v, name AS v FROM s;'), 'Duplicate column names: V', 3, 34);
  });

  it('rejects table functions in the wrong places', () => {
    expectSqlError(run('CREATE TABLE o AS SELECT id, EXPLODE(tags), COUNT(*) FROM s GROUP BY id;'), 'Table functions cannot be used with aggregations.', 3, 30);
    expectSqlError(run('CREATE STREAM o AS SELECT id FROM s WHERE EXPLODE(tags) IS NULL;'), 'Table functions can not be used in the WHERE clause: EXPLODE(TAGS)', 3, 43);
  });

  it('checks INSERT INTO schemas and INSERT VALUES', () => {
    expectSqlError(
      run('CREATE STREAM o AS SELECT id, name FROM s; INSERT INTO o SELECT id, w FROM s2;'),
      'Incompatible schema between results and sink.\nResult schema is `ID` INTEGER KEY, `W` INTEGER\nSink schema is `ID` INTEGER KEY, `NAME` STRING',
      3,
      58,
    );
    expectSqlError(run("INSERT INTO s (id, nope) VALUES (1, 'x');"), 'Column name NOPE does not exist.', 3, 20);
    expectSqlError(run("INSERT INTO s (id, v) VALUES (1);"), 'Expected a value for each column. Expected Columns: [ID, V]. Got [...]', 3, 1);
    expectSqlError(run("INSERT INTO s (id, v) VALUES ('x', 1);"), "Expected type INTEGER for column but got 'x' (STRING)", 3, 31);
  });

  it('formats analyzer errors with the source line', () => {
    let err: SqlError | undefined;
    try {
      run('CREATE STREAM o AS SELECT id, nope FROM s;')();
    } catch (e) {
      err = e as SqlError;
    }
    expect(err!.format()).toBe("q.sql:3:31: SELECT column 'NOPE' cannot be resolved.\nCREATE STREAM o AS SELECT id, nope FROM s;\n                              ^");
  });
});
