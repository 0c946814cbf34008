/**
 * The conformance corpus through `kstream test`'s in-process path: every case directory under
 * test/sql/cases runs its statements.sql on input.json and must produce output.json exactly, as
 * ksqlDB's test runner compares them.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { queryTestDriver } from '../../src/sql/testrunner/query-test-driver.js';
import { loadTestCase } from '../../src/sql/testrunner/files.js';
import { runTestCase } from '../../src/sql/testrunner/runner.js';

const root = fileURLToPath(new URL('./cases', import.meta.url));
const cases = readdirSync(root).filter((d) => statSync(join(root, d)).isDirectory()).sort();

describe('conformance corpus runs', () => {
  it.each(cases)('%s', async (name) => {
    const result = await runTestCase(await loadTestCase(join(root, name)), queryTestDriver);
    expect(result.message ?? 'passed').toBe('passed');
  });
});
