/**
 * A schema registry that does not answer is retried a bounded number of times, then `kstream run` stops with one
 * line (the place and the subject), a non-zero exit and no stack trace: at statement time (columns inferred from the
 * registry) and at run time (a sink registering its schema), where the record is not skipped.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/embedded.js';

const CLI = fileURLToPath(new URL('../../bin/kstream.js', import.meta.url));

/** A loopback port that nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function runSql(sql: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const { dir, cleanup } = tempDir('kstream-registry-unreachable-');
  try {
    writeFileSync(join(dir, 'q.sql'), sql);
    writeFileSync(join(dir, 'c.properties'), `schema.registry.url=http://127.0.0.1:${await closedPort()}\nschema.registry.max.retries=1\nschema.registry.retries.wait.ms=50\n`);
    const r = spawnSync(process.execPath, [CLI, 'run', join(dir, 'q.sql'), '--until-idle', '--config', join(dir, 'c.properties'), '--data-dir', join(dir, 'data')], {
      encoding: 'utf8',
      timeout: 90_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    cleanup();
  }
}

describe('kstream run with an unreachable schema registry', () => {
  it('stops at the statement that infers its columns, with the place and the subject', async () => {
    const r = await runSql("CREATE STREAM U WITH (KAFKA_TOPIC='u', PARTITIONS=1, VALUE_FORMAT='AVRO');\n");
    expect(r.status).toBe(1);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/q\.sql:1:1: schema registry unreachable \(subject 'u-value', 2 attempts\): http:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED/);
    expect(out).not.toMatch(/\n\s+at /);
  }, 120_000);

  it('stops when a sink cannot register its schema, without skipping the record', async () => {
    const r = await runSql(
      "CREATE STREAM S (ID INT KEY, NAME STRING) WITH (KAFKA_TOPIC='s', PARTITIONS=1, VALUE_FORMAT='JSON');\n" +
        "INSERT INTO S (ID, NAME) VALUES (1, 'a');\n" +
        "CREATE STREAM T WITH (KAFKA_TOPIC='t', VALUE_FORMAT='AVRO') AS SELECT * FROM S;\n",
    );
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^kstream: error: .* schema registry unreachable \(subject 't-value', 2 attempts\): .*; stopping without skipping the record$/);
  }, 120_000);
});
