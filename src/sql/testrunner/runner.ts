/**
 * Runs one ksql-test-runner test case against a TopologyTestDriver-like driver:
 * analyze statements.sql, build the driver (the planner's job: `buildDriver`), pipe the records of
 * INSERT VALUES statements and then input.json in order, read every record written to a sink
 * topic, and compare with output.json. Prints like ksql-test-runner:
 *   "\t >>> Test passed!"   or   "\t>>>>> Test failed: <reason>".
 */
import type { AnalyzedStatement } from '../analyzer/statement-analyzer.js';
import { SqlError } from '../errors.js';
import { SqlSession, type SqlSessionOptions } from '../session.js';
import { insertValuesRecords, type EncodedRecord } from '../planner/insert-values.js';
import { compareOutputs } from './compare.js';
import type { TestCaseFiles } from './files.js';
import { decodeOutput, encodeInput, topicCatalog, type CapturedRecord, type TopicInfo } from './topics.js';

/** The shape of the runtime's test driver that the runner needs. */
export interface TestDriver {
  pipeRaw(topic: string, key: Buffer | null, value: Buffer | null, timestampMs: number, headers?: readonly { key: string; value: Buffer | null }[]): void;
  /** Writes a record of an INSERT ... VALUES statement (default: pipeRaw). */
  insert?(topic: string, key: Buffer | null, value: Buffer | null, timestampMs: number, headers?: readonly { key: string; value: Buffer | null }[]): void;
  /** Every record written to every sink topic, in production order. */
  capturedOutput(): readonly CapturedRecord[];
  close?(): void | Promise<void>;
}

export type DriverFactory = (statements: readonly AnalyzedStatement[]) => TestDriver | Promise<TestDriver>;

export interface TestResult {
  readonly passed: boolean;
  /** Failure reason (ksql-test-runner's message) when not passed. */
  readonly message?: string;
  /** What ksql-test-runner prints for this outcome. */
  readonly printed: string;
}

export function passed(): TestResult {
  return { passed: true, printed: '\t >>> Test passed!' };
}

export function failed(message: string): TestResult {
  return { passed: false, message, printed: `\t>>>>> Test failed: ${message}` };
}

let mockScopes = 0;

/**
 * Session options of one test case: as ksql-test-runner, AVRO / PROTOBUF / JSON_SR topics use an in-process
 * registry (a fresh `mock://` scope per case) that the statements and inputs populate, unless one is given.
 */
export function testSessionOptions(options: SqlSessionOptions = {}): SqlSessionOptions {
  return options.schemaRegistry ? options : { ...options, schemaRegistry: { url: `mock://kstream-test-${process.pid}-${++mockScopes}` } };
}

/** What a test format beyond ksql-test-runner's files (ksqlDB's QTT files) adds to a run. */
export interface TestCaseHooks {
  /** Before the statements run: e.g. register the test's topic schemas in the case's registry. */
  prepare?(options: SqlSessionOptions): void;
  /** The topic to encode the test inputs of `topic` with (default: the statements' definition). */
  inputTopic?(topic: string, fromStatements: TopicInfo | undefined, options: SqlSessionOptions): TopicInfo | undefined;
}

export async function runTestCase(test: TestCaseFiles, buildDriver: DriverFactory, options: SqlSessionOptions = {}, hooks: TestCaseHooks = {}): Promise<TestResult> {
  let statements: AnalyzedStatement[];
  const session = testSessionOptions(options);
  try {
    hooks.prepare?.(session);
    statements = new SqlSession(session).execute(test.statements, test.statementsFile);
  } catch (e) {
    if (e instanceof SqlError) return failed(e.format());
    throw e;
  }
  const topics = topicCatalog(statements);
  const inputTopic = (topic: string) => (hooks.inputTopic ? hooks.inputTopic(topic, topics.get(topic), session) : topics.get(topic));
  const driver = await buildDriver(statements);
  try {
    for (const r of insertValuesRecords(statements)) {
      if (driver.insert) driver.insert(r.topic, r.key, r.value, r.timestamp, r.headers);
      else driver.pipeRaw(r.topic, r.key, r.value, r.timestamp, r.headers);
    }
    for (const input of test.inputs) {
      const r = encodeInput(input, inputTopic(input.topic));
      driver.pipeRaw(r.topic, r.key, r.value, r.timestamp, r.headers);
    }
    const expectedTopics = new Set(test.outputs.map((o) => o.topic));
    for (const t of expectedTopics) if (!topics.has(t)) return failed(`No information found for topic: ${t}`);
    const actual = driver
      .capturedOutput()
      .filter((r) => expectedTopics.has(r.topic))
      .map((r) => decodeOutput(r, topics.get(r.topic)));
    const failure = compareOutputs(test.outputs, actual, test.inputs.length === 0);
    return failure ? failed(failure.message) : passed();
  } catch (e) {
    return failed((e as Error).message);
  } finally {
    await driver.close?.();
  }
}
