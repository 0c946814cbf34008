/**
 * What `kstream test` does: ksqlDB's ksql-test-runner, in process. Runs the statements of a SQL file on the
 * records of an input file (every persistent query with its own in-memory driver, record cache
 * off: every update is emitted) and either compares what they write with an expected output
 * file (per topic, in order: "Test passed!" / the first difference, exit 1) or prints it.
 */
import { readFileSync } from 'node:fs';
import { SqlSession } from '../sql/session.js';
import { QueryTestDriver, queryTestDriver } from '../sql/testrunner/query-test-driver.js';
import { parseInputFile, parseOutputFile, TestFileError, type TestRecord } from '../sql/testrunner/files.js';
import { renderOutputs } from '../sql/testrunner/render.js';
import { insertValuesRecords } from '../sql/planner/insert-values.js';
import { failed, runTestCase, testSessionOptions } from '../sql/testrunner/runner.js';
import { encodeInput, topicCatalog } from '../sql/testrunner/topics.js';
import { UserError } from './errors.js';
import { writeOut } from './output.js';

export interface TestOptions {
  sqlFile: string;
  inputFile?: string;
  outputFile?: string;
}

function read(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function parseFile<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof TestFileError) throw new UserError(e.message);
    throw e;
  }
}

/**
 * ksql-test-runner fails on an input record for a topic that no statement declares (it has no
 * schema or formats to write it with): the same message, instead of silently dropping the record.
 */
function unknownInputTopic(inputs: readonly TestRecord[], topics: ReadonlyMap<string, unknown>): string | undefined {
  return inputs.find((r) => !topics.has(r.topic))?.topic;
}

export async function runTest(options: TestOptions): Promise<void> {
  const text = read(options.sqlFile, 'SQL file');
  // Bad statements fail here, before anything runs (a SqlError: file:line:col, caret excerpt).
  const statements = new SqlSession(testSessionOptions()).execute(text, options.sqlFile);
  const inputs: TestRecord[] = options.inputFile === undefined ? [] : parseFile(() => parseInputFile(read(options.inputFile!, 'input file'), options.inputFile));
  const topics = topicCatalog(statements);
  const unknown = unknownInputTopic(inputs, topics);
  if (options.outputFile !== undefined) {
    const outputs = parseFile(() => parseOutputFile(read(options.outputFile!, 'output file'), options.outputFile));
    const result =
      unknown !== undefined
        ? failed(`No information found for topic: ${unknown}`)
        : await runTestCase({ name: options.sqlFile, statements: text, statementsFile: options.sqlFile, inputs, outputs }, queryTestDriver);
    await writeOut(`${result.printed}\n`);
    process.exitCode = result.passed ? 0 : 1;
    return;
  }
  if (unknown !== undefined) {
    throw new UserError(`${options.inputFile}: No information found for topic: ${unknown} (no statement declares it)`);
  }
  const driver = new QueryTestDriver(statements);
  for (const r of insertValuesRecords(statements)) driver.insert(r.topic, r.key, r.value, r.timestamp, r.headers);
  for (const input of inputs) {
    const r = encodeInput(input, topics.get(input.topic));
    driver.pipeRaw(r.topic, r.key, r.value, r.timestamp, r.headers);
  }
  await writeOut(renderOutputs(driver.queryOutput(), topics));
}
