/** Runs one QTT-format case given as an object (a test of ours written in ksqlDB's QTT file format). */
import { parseQttFile } from '../../src/sql/testrunner/qtt.js';
import { runQttCase } from '../../src/sql/testrunner/qtt-runner.js';
import { queryTestDriver } from '../../src/sql/testrunner/query-test-driver.js';

/** 'passed', or the outcome and kstream's message. */
export async function runQttJson(test: object): Promise<string> {
  const [c] = parseQttFile(JSON.stringify({ tests: [test] }), 'case.json');
  const r = await runQttCase(c!, queryTestDriver);
  return r.message === undefined ? r.outcome : `${r.outcome}: ${r.message}`;
}
