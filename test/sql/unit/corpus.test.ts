/**
 * Well-formedness of the conformance corpus (test/sql/cases/<name>/{statements.sql,input.json,
 * output.json}): every case's statements pass the analyzer, its files parse, every topic it reads
 * or expects is defined by its statements, and every input record encodes in its topic's formats.
 * The cases themselves run end to end in test/sql/corpus-run.test.ts.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SqlSession } from '../../../src/sql/session.js';
import { loadTestCase } from '../../../src/sql/testrunner/files.js';
import { encodeInput, topicCatalog } from '../../../src/sql/testrunner/topics.js';

const root = fileURLToPath(new URL('../cases', import.meta.url));
const cases = readdirSync(root).filter((d) => statSync(join(root, d)).isDirectory()).sort();

describe('conformance corpus', () => {
  it('has at least 150 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
  });

  it.each(cases)('%s is well-formed', async (name) => {
    const test = await loadTestCase(join(root, name));
    const statements = new SqlSession().execute(test.statements, test.statementsFile);
    const topics = topicCatalog(statements);
    for (const r of test.outputs) expect(topics.has(r.topic), `output topic ${r.topic}`).toBe(true);
    for (const r of test.inputs) {
      expect(topics.has(r.topic), `input topic ${r.topic}`).toBe(true);
      expect(() => encodeInput(r, topics.get(r.topic))).not.toThrow();
    }
    expect(statements.some((s) => s.kind === 'query')).toBe(true);
  });
});
