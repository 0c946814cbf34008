/**
 * The SQL commands of the CLI, in process: `kstream test` (ksql-test-runner files), `kstream
 * explain`, `kstream run <file.sql>` on the embedded log (the wordcount gives the TS example's
 * counts), and how rejected statements are reported (exit 1, `file:line:col: message`, the line,
 * a caret; no stack trace).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kstream } from './cli-helpers.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { silentLogger } from '../../src/common/logger.js';
import { produce, tempDir } from '../helpers/embedded.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CASES = join(ROOT, 'test/sql/cases');
const WORDCOUNT_SQL = join(ROOT, 'examples/wordcount/wordcount.sql');

const DEMO_LINES = ['all streams lead to kafka', 'hello kafka streams', 'join kafka summit'];
const DEMO_COUNTS = { all: '1', streams: '2', lead: '1', to: '1', kafka: '3', hello: '1', join: '1', summit: '1' };

function finalCounts(consumed: string): Record<string, string> {
  return Object.fromEntries(consumed.trim().split('\n').map((l) => l.split('\t') as [string, string]));
}

describe('kstream test', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('kstream-sql-cli-')));
  afterEach(() => cleanup());

  it('passes a corpus case with exit 0', async () => {
    const c = join(CASES, 'agg_count_star');
    const r = await kstream(['test', '-s', join(c, 'statements.sql'), '-i', join(c, 'input.json'), '-o', join(c, 'output.json')]);
    expect(r).toMatchObject({ code: 0, stdout: '\t >>> Test passed!\n' });
  });

  it('reports the first difference with exit 1', async () => {
    const c = join(CASES, 'agg_count_star');
    const wrong = join(dir, 'wrong.json');
    writeFileSync(wrong, '{"outputs": [{"topic": "OUTPUT", "key": "nope", "value": {"C": 1}}]}');
    const r = await kstream(['test', '-s', join(c, 'statements.sql'), '-i', join(c, 'input.json'), '-o', wrong]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^\t>>>>> Test failed: Topic OUTPUT\. Expected <1> records but it was <\d+>/);
  });

  it('prints what the queries write without -o, in ksql-test-runner format', async () => {
    const input = join(dir, 'input.json');
    writeFileSync(input, JSON.stringify({ inputs: DEMO_LINES.map((value, i) => ({ topic: 'streams-plaintext-input', key: null, value, timestamp: i + 1 })) }));
    const r = await kstream(['test', '-s', WORDCOUNT_SQL, '-i', input]);
    expect(r.code, r.stderr).toBe(0);
    const outputs = (JSON.parse(r.stdout) as { outputs: { topic: string; key: string; value: number; timestamp: number }[] }).outputs;
    const counts = outputs.filter((o) => o.topic === 'streams-wordcount-sql-output');
    expect(counts.slice(0, 2)).toEqual([
      { topic: 'streams-wordcount-sql-output', key: 'all', value: 1, timestamp: 1 },
      { topic: 'streams-wordcount-sql-output', key: 'streams', value: 1, timestamp: 1 },
    ]);
    expect(Object.fromEntries(counts.map((o) => [o.key, String(o.value)]))).toEqual(DEMO_COUNTS);
    // Windowed keys carry their window.
    const sql = join(dir, 'w.sql');
    writeFileSync(
      sql,
      "CREATE STREAM S (ID INT KEY, K STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON');\n" +
        'CREATE TABLE C AS SELECT K, COUNT(*) AS N FROM S WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY K;\n',
    );
    writeFileSync(input, '{"inputs": [{"topic": "s", "key": 1, "value": {"K": "a"}, "timestamp": 12000}]}');
    const w = await kstream(['test', '-s', sql, '-i', input]);
    expect(JSON.parse(w.stdout)).toEqual({ outputs: [{ topic: 'C', key: 'a', value: { N: 1 }, timestamp: 12000, window: { start: 10000, end: 20000, type: 'time' } }] });
  });
});

describe('rejected statements', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('kstream-sql-cli-')));
  afterEach(() => cleanup());

  const BAD = "CREATE STREAM S (ID INT KEY, V STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON');\nCREATE STREAM O AS SELECT ID, NOPE FROM S;\n";

  it.each([
    ['run', (f: string, d: string) => ['run', f, '--until-idle', '--data-dir', d]],
    ['explain', (f: string) => ['explain', f]],
    ['test', (f: string) => ['test', '-s', f]],
  ])('kstream %s: exit 1, one positioned line, the source line and a caret, no stack', async (_name, args) => {
    const file = join(dir, 'bad.sql');
    writeFileSync(file, BAD);
    const r = await kstream(args(file, dir));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${file}:2:31: SELECT column 'NOPE' cannot be resolved.\nCREATE STREAM O AS SELECT ID, NOPE FROM S;\n                              ^\n`);
  });

  it('syntax errors are positioned too', async () => {
    const file = join(dir, 'syntax.sql');
    writeFileSync(file, "CREATE STREAM S (ID INT KEY, V STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON');\nSELEKT * FROM S;\n");
    const r = await kstream(['explain', file]);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2:1: `));
    expect(lines.slice(1)).toEqual(['SELEKT * FROM S;', '^', '']);
  });

  it('run: a source topic that does not exist and has no PARTITIONS is rejected before anything runs', async () => {
    const file = join(dir, 'missing.sql');
    writeFileSync(file, "CREATE STREAM S (ID INT KEY, V STRING) WITH (KAFKA_TOPIC='nope', VALUE_FORMAT='JSON');\nCREATE STREAM O AS SELECT * FROM S;\n");
    const r = await kstream(['run', file, '--until-idle', '--data-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(
      `${file}:1:1: Topic 'nope' does not exist. If you want to create a new topic for the stream please re-run the statement providing the required 'PARTITIONS' configuration in the WITH clause (and optionally 'REPLICAS').`,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const topics = await kstream(['topics', 'list', '--data-dir', dir]);
    expect(topics.stdout).toBe('');
  });

  it('missing files are one-line errors', async () => {
    expect(await kstream(['test', '-s', join(dir, 'nope.sql')])).toMatchObject({ code: 1, stderr: `kstream: error: cannot read SQL file ${join(dir, 'nope.sql')}: ENOENT\n` });
    expect(await kstream(['explain', join(dir, 'nope.sql')])).toMatchObject({ code: 1 });
  });
});

describe('kstream explain', () => {
  it('prints each query: sink, schema, logical plan and topology', async () => {
    const r = await kstream(['explain', WORDCOUNT_SQL]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Query CSAS_WORDS_0');
    expect(r.stdout).toContain('Query CTAS_WORD_COUNTS_1');
    expect(r.stdout).toContain('Schema: `WORD` STRING KEY, `COUNT` BIGINT');
    expect(r.stdout).toContain('Aggregate GROUP BY WORD [COUNT(*)]');
    expect(r.stdout).toContain('Sink: KSTREAM-SINK-');
    expect(r.stdout).toContain('(topic: Aggregate-GroupBy-repartition)');
    const combined = await kstream(['explain', WORDCOUNT_SQL, '--combined']);
    expect(combined.stdout).toContain("Application 'ksql-wordcount' (kstream run): CSAS_WORDS_0, CTAS_WORD_COUNTS_1");
    expect(combined.stdout).toContain('CTAS_WORD_COUNTS_1-Aggregate-GroupBy-repartition');
  });
});

describe('kstream run <file.sql> on the embedded log', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('kstream-sql-run-')));
  afterEach(() => cleanup());

  it('wordcount.sql --until-idle gives the same final counts as the TS example', async () => {
    await produce(dir, 'streams-plaintext-input', DEMO_LINES.map((value) => ({ key: null, value })));
    const run = await kstream(['run', WORDCOUNT_SQL, '--until-idle', '--no-status', '--data-dir', dir]);
    expect(run.code, run.stderr).toBe(0);
    const sql = await kstream(['consume', 'streams-wordcount-sql-output', '--from-beginning', '--print-key', '--value-format', 'long', '--timeout-ms', '300', '--data-dir', dir]);
    expect(finalCounts(sql.stdout)).toEqual(DEMO_COUNTS);

    const { default: wordcount, config } = await import('../../examples/wordcount/wordcount.js');
    const streams = new KafkaStreams(wordcount(), { ...config, 'data.dir': dir, logger: silentLogger });
    await streams.run({ untilIdle: true });
    const ts = await kstream(['consume', 'streams-wordcount-output', '--from-beginning', '--print-key', '--value-format', 'long', '--timeout-ms', '300', '--data-dir', dir]);
    expect(finalCounts(sql.stdout)).toEqual(finalCounts(ts.stdout));

    // Punctuation and repeated separators split words the same way in both (\W+).
    await produce(dir, 'streams-plaintext-input', [{ key: null, value: 'Kafka, streams!  and--SQL: 42_x' }]);
    expect((await kstream(['run', WORDCOUNT_SQL, '--until-idle', '--no-status', '--data-dir', dir])).code).toBe(0);
    await new KafkaStreams(wordcount(), { ...config, 'data.dir': dir, logger: silentLogger }).run({ untilIdle: true });
    const sql2 = await kstream(['consume', 'streams-wordcount-sql-output', '--from-beginning', '--print-key', '--value-format', 'long', '--timeout-ms', '300', '--data-dir', dir]);
    const ts2 = await kstream(['consume', 'streams-wordcount-output', '--from-beginning', '--print-key', '--value-format', 'long', '--timeout-ms', '300', '--data-dir', dir]);
    expect(finalCounts(sql2.stdout)).toEqual(finalCounts(ts2.stdout));
    expect(finalCounts(ts2.stdout)).toMatchObject({ kafka: '4', streams: '3', and: '1', sql: '1', '42_x': '1' });

    // Statements ran once: a run with no new input writes nothing new.
    const again = await kstream(['run', WORDCOUNT_SQL, '--until-idle', '--no-status', '--data-dir', dir]);
    expect(again.stderr).toContain('processed 0 records');
  });

  it('creates declared topics with PARTITIONS and writes INSERT VALUES records once', async () => {
    const file = join(dir, 'inserts.sql');
    writeFileSync(
      file,
      "CREATE STREAM S (ID INT KEY, V STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=2);\n" +
        "INSERT INTO S (ID, V) VALUES (1, 'a');\n" +
        "INSERT INTO S (ID, V) VALUES (2, 'b');\n" +
        'CREATE STREAM UPPER AS SELECT ID, UCASE(V) AS V FROM S;\n',
    );
    for (let i = 0; i < 2; i++) {
      const run = await kstream(['run', file, '--until-idle', '--no-status', '--data-dir', dir]);
      expect(run.code, run.stderr).toBe(0);
    }
    const described = await kstream(['topics', 'describe', 'UPPER', '--data-dir', dir]);
    expect(described.stdout).toContain('PartitionCount: 2');
    const out = await kstream(['consume', 'UPPER', '--from-beginning', '--timeout-ms', '300', '--data-dir', dir]);
    expect(out.stdout.trim().split('\n').sort()).toEqual(['{"V":"A"}', '{"V":"B"}']);
  });
});
