/**
 * Interop with an independent client (kcat / librdkafka): input produced with kcat, the wordcount
 * run by `kstream run --until-idle` under exactly_once, output read back with kcat in
 * read_committed mode. Also: the CLI's topics / produce / consume against Kafka, and its one-line
 * errors.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { kafkaBrokers, kafkaVersion, uniqueId } from './helpers.js';
import { CLI, WORDCOUNT_APP, expectedWordCounts, kcat, killAll, kstream, requireBuild } from './processes.js';

/** Runs the CLI to completion (bounded). */
function cli(args: string[], input?: string, env: Record<string, string> = {}) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

describe(`kstream and kcat on Kafka ${kafkaVersion()}`, () => {
  let dir: string;
  const brokers = () => kafkaBrokers().join(',');
  beforeAll(() => {
    requireBuild();
    const probe = spawnSync('kcat', ['-V'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) throw new Error('kcat is not installed: run .ci/install-kafka.sh (or apt-get install kcat)');
    dir = mkdtempSync(join(tmpdir(), 'kstream-interop-'));
  });
  afterEach(() => killAll());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('wordcount: input from kcat (plain and transactional), output read with kcat read_committed', async () => {
    const app = uniqueId('interop');
    const input = `${app}-input`;
    const output = `${app}-output`;
    expect(cli(['topics', 'create', input, '--partitions', '3', '--brokers', brokers()]).stdout).toBe(`Created topic ${input}.\n`);
    const plain = ['all streams lead to kafka', 'hello kafka streams', 'join kafka summit'];
    const transactional = ['kafka streams on kafka', 'exactly once'];
    await kcat(['-P', '-t', input], plain.join('\n') + '\n');
    // librdkafka commits the transaction when kcat's input ends: markers follow these records.
    await kcat(['-P', '-t', input, '-X', `transactional.id=${uniqueId('kcat')}`], transactional.join('\n') + '\n');

    const run = kstream(['run', WORDCOUNT_APP, '--brokers', brokers(), '--until-idle', '--state-dir', join(dir, app)], {
      KSTREAM_TEST_APP_ID: app,
      KSTREAM_TEST_INPUT: input,
      KSTREAM_TEST_OUTPUT: output,
    });
    const exit = await run.exited;
    expect(exit.code, run.output()).toBe(0);
    expect(run.output()).toContain('all input consumed and committed');

    const lines = (await kcat(['-C', '-t', output, '-o', 'beginning', '-e', '-q', '-f', '%k\\t%s\\n', '-s', 'value=Q', '-X', 'isolation.level=read_committed']))
      .split('\n')
      .filter(Boolean);
    const last = new Map<string, number>();
    for (const l of lines) {
      const [k, v] = l.split('\t') as [string, string];
      const n = Number(v);
      expect(n).toBeGreaterThan(last.get(k) ?? 0);
      last.set(k, n);
    }
    expect(last).toEqual(expectedWordCounts([...plain, ...transactional]));
    // Internal topics carry Kafka Streams' names.
    const topics = cli(['topics', 'list', '--brokers', brokers()]).stdout.split('\n');
    expect(topics).toEqual(expect.arrayContaining([`${app}-counts-store-changelog`, `${app}-counts-store-repartition`]));
  }, 120_000);

  it('the CLI on Kafka: topics, produce, consume', () => {
    const topic = uniqueId('cli');
    const b = ['--brokers', brokers()];
    expect(cli(['topics', 'create', topic, '--partitions', '3', '--config', 'retention.ms=3600000', ...b]).stdout).toBe(`Created topic ${topic}.\n`);
    expect(cli(['topics', 'create', topic, ...b]).stderr).toBe(`kstream: error: topic '${topic}' already exists\n`);
    const produced = cli(['produce', topic, '--key-separator', ':', ...b], 'a:1\nb:2\na:3\nnokey\n');
    expect(produced.stderr).toContain(`wrote 4 records to ${topic}`);
    const described = cli(['topics', 'describe', topic, ...b]).stdout;
    expect(described).toContain(`Topic: ${topic}\tPartitionCount: 3\tConfigs: retention.ms=3600000`);
    const consumed = cli(['consume', topic, '--from-beginning', '--print-key', '--timeout-ms', '500', ...b]).stdout.trim().split('\n');
    expect([...consumed].sort()).toEqual(['a\t1', 'a\t3', 'b\t2', 'null\tnokey']);
    expect(consumed.filter((l) => l.startsWith('a\t'))).toEqual(['a\t1', 'a\t3']);
    expect(cli(['consume', topic, '--from-beginning', '--max-messages', '2', ...b]).stdout.trim().split('\n')).toHaveLength(2);
    expect(cli(['topics', 'list', ...b]).stdout.split('\n')).toContain(topic);
    expect(cli(['topics', 'delete', topic, ...b]).code).toBe(0);
    expect(cli(['topics', 'list', ...b]).stdout.split('\n')).not.toContain(topic);
  }, 120_000);

  it('one-line errors: missing source topic, unreachable broker (bounded), bad settings', () => {
    const app = uniqueId('err');
    const missing = cli(['run', WORDCOUNT_APP, '--until-idle', '--brokers', brokers(), '--state-dir', join(dir, app)], undefined, {
      KSTREAM_TEST_APP_ID: app,
      KSTREAM_TEST_INPUT: `${app}-nope`,
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`kstream: error: source topic '${app}-nope' does not exist; create it first (kstream topics create <name> --partitions N)\n`);

    const down = cli(['topics', 'list', '--brokers', '127.0.0.1:1']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^kstream: error: cannot connect to Kafka at 127\.0\.0\.1:1 \(tried for 10 s\): .*ECONNREFUSED.*\n$/);
    expect(down.ms).toBeLessThan(20_000);
    const runDown = cli(['run', WORDCOUNT_APP, '--until-idle', '--brokers', '127.0.0.1:1', '--state-dir', join(dir, `${app}-down`)]);
    expect(runDown.code).toBe(1);
    expect(runDown.stderr.split('\n').filter(Boolean)).toHaveLength(1);

    expect(cli(['topics', 'list', '--brokers', 'nohostport']).stderr).toBe("kstream: error: invalid bootstrap server 'nohostport': expected host:port\n");
    expect(cli(['topics', 'list', '--brokers', brokers(), '--security-protocol', 'SASL_PLAINTEXT']).stderr).toBe(
      'kstream: error: security.protocol SASL_PLAINTEXT needs sasl.username and sasl.password (or --sasl-username/--sasl-password)\n',
    );
    expect(cli(['run', WORDCOUNT_APP, '--workers', '2', '--data-dir', join(dir, 'emb')]).stderr).toBe(
      'kstream: error: --workers needs Kafka: give --brokers host:port (or bootstrap.servers in --config)\n',
    );
  }, 120_000);
  it('records kcat wrote compressed with gzip, snappy, lz4 and zstd are read back by kstream consume and run', async () => {
    const app = uniqueId('codecs');
    const topic = `${app}-in`;
    expect(cli(['topics', 'create', topic, '--partitions', '2', '--brokers', brokers()]).code).toBe(0);
    const lines: string[] = [];
    for (const codec of ['gzip', 'snappy', 'lz4', 'zstd']) {
      // Enough lines per batch that the codecs really compress (librdkafka skips it for tiny batches).
      const batch = Array.from({ length: 200 }, (_, i) => `${codec}-${i % 7}:${codec} line ${i} ${'abc '.repeat(i % 5)}`);
      lines.push(...batch);
      await kcat(['-P', '-t', topic, '-K', ':', '-z', codec, '-X', 'linger.ms=50'], `${batch.join('\n')}\n`);
    }
    const out = cli(['consume', topic, '--from-beginning', '--print-key', '--brokers', brokers(), '--timeout-ms', '3000']);
    expect(out.code, out.stderr).toBe(0);
    const got = out.stdout.split('\n').filter(Boolean).map((l) => l.replace('\t', ':')).sort();
    expect(got).toEqual([...lines].sort());
    // and through a topology: wordcount over the compressed input
    const output = `${app}-out`;
    const run = cli(['run', WORDCOUNT_APP, '--brokers', brokers(), '--until-idle', '--state-dir', join(dir, app)], undefined, {
      KSTREAM_TEST_APP_ID: app,
      KSTREAM_TEST_INPUT: topic,
      KSTREAM_TEST_OUTPUT: output,
    });
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    const counts = await kcat(['-C', '-t', output, '-o', 'beginning', '-e', '-q', '-f', '%k\t%s\n', '-s', 'value=Q', '-X', 'isolation.level=read_committed']);
    const last = new Map(counts.split('\n').filter(Boolean).map((l) => l.split('\t') as [string, string]));
    const expected = expectedWordCounts(lines.map((l) => l.slice(l.indexOf(':') + 1)));
    expect(Object.fromEntries([...last].map(([k, v]) => [k, Number(v)]))).toEqual(Object.fromEntries(expected));
  }, 120_000);
});
