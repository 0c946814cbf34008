import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = `${ROOT}bin/kstream.js`;

function kstream(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kstream local schema-registry', () => {
  const url = inject('registryUrl');
  const dataDir = inject('registryDataDir');
  const port = new URL(url).port;
  const otherDir = mkdtempSync(join(tmpdir(), 'kstream-registry-cli-'));
  afterAll(() => rmSync(otherDir, { recursive: true, force: true }));
  beforeAll(() => {
    if (!existsSync(`${ROOT}dist/cli/main.js`)) throw new Error('build first: npm run build (npm test does)');
  });

  it('the started registry speaks the Confluent API at /apis/ccompat/v7 on 127.0.0.1', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/apis\/ccompat\/v7$/);
    const schema = JSON.stringify({ type: 'record', name: 'LocalCheck', fields: [{ name: 'a', type: 'int' }] });
    const res = await fetch(`${url}/subjects/local-registry-check-value/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema }),
    });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: number };
    const back = (await (await fetch(`${url}/schemas/ids/${id}`)).json()) as { schema: string };
    expect(JSON.parse(back.schema)).toEqual(JSON.parse(schema));
  });

  it('status reports it; start on a running data dir or on a port where a registry answers only reports it', () => {
    if (dataDir !== '') {
      const st = kstream(['local', 'schema-registry', 'status', '--port', port, '--data-dir', dataDir]);
      expect(st.code).toBe(0);
      expect(st.stdout).toContain(`at ${url}`);
      expect(st.stdout).toContain('answering');
      const again = kstream(['local', 'schema-registry', 'start', '--port', port, '--data-dir', dataDir]);
      expect(again.code).toBe(0);
      expect(again.stdout.trim()).toBe(url);
      expect(again.stderr).toContain('already running');
    }
    const other = kstream(['local', 'schema-registry', 'start', '--port', port, '--data-dir', otherDir]);
    expect(other.code).toBe(0);
    expect(other.stdout.trim()).toBe(url);
    expect(other.stderr).toContain('already answers');
  });

  it('status and stop of a registry that does not run: exit 3, "not running"', () => {
    const st = kstream(['local', 'schema-registry', 'status', '--port', '28089', '--data-dir', otherDir]);
    expect(st.code).toBe(3);
    expect(st.stdout).toContain('not running');
    const stop = kstream(['local', 'schema-registry', 'stop', '--port', '28089', '--data-dir', otherDir]);
    expect(stop.code).toBe(0);
    expect(stop.stderr).toContain('no schema registry was running');
  });

  it("a bad port is commander's one-line usage error, exit 1, no stack", () => {
    const r = kstream(['local', 'schema-registry', 'start', '--port', '99999']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toContain('not a TCP port');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
