/**
 * `kstream sql` as a user runs it: `-e` and `-f` (with RUN SCRIPT) against the in-process server
 * on the embedded log, and the interactive prompt in a real terminal (tmux on its own socket):
 * create a stream over two lines, insert values, a push query with LIMIT, a pull query, SHOW TABLES.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { tempDir } from '../helpers/embedded.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = `${ROOT}bin/kstream.js`;

function kstream(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kstream sql', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => {
    if (!existsSync(`${ROOT}dist/cli/main.js`)) throw new Error('build first: npm run build (npm test does)');
  });
  beforeEach(() => ({ dir, cleanup } = tempDir('kstream-sql-cli-')));
  afterEach(() => cleanup());

  it('-e and -f run statements against an in-process server; the first error stops with exit 1', () => {
    const d = ['--data-dir', dir];
    const first = kstream([
      'sql',
      ...d,
      '-e',
      `CREATE STREAM S (ID INT KEY, NAME STRING) WITH (KAFKA_TOPIC='s', PARTITIONS=1, VALUE_FORMAT='JSON');
       INSERT INTO S (ID, NAME) VALUES (1, 'one');
       INSERT INTO S (ID, NAME) VALUES (2, 'two');
       SET 'auto.offset.reset'='earliest';
       SELECT * FROM S EMIT CHANGES LIMIT 2;
       SHOW STREAMS;`,
    ]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(' Stream created');
    expect(first.stdout).toContain("Successfully changed local property 'auto.offset.reset' to 'earliest'.");
    expect(first.stdout).toMatch(/\|ID +\|NAME +\|\n\+-+\+-+\+\n\|1 +\|one +\|\n\|2 +\|two +\|\n\+-+\+-+\+\nLimit Reached\nQuery terminated\n/);
    expect(first.stdout).toMatch(/ Stream Name \| Kafka Topic \| Key Format \| Value Format \| Windowed\n-+\n S +\| s +\| KAFKA +\| JSON +\| false/);

    // -f with RUN SCRIPT and DEFINE: the catalog of the first run is still there (the command topic).
    writeFileSync(join(dir, 'inner.sql'), "CREATE TABLE T AS SELECT ID, COUNT(*) AS C FROM ${src} GROUP BY ID;\n");
    writeFileSync(join(dir, 'outer.sql'), "DEFINE src = 'S';\nSET 'auto.offset.reset'='earliest';\nRUN SCRIPT 'inner.sql';\nSHOW TABLES;\n");
    const second = kstream(['sql', ...d, '-f', join(dir, 'outer.sql')]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('Created query with ID CTAS_T_0');
    expect(second.stdout).toMatch(/ Table Name \| Kafka Topic \| Key Format \| Value Format \| Windowed\n-+\n T +\| T +\| KAFKA +\| JSON +\| false/);

    const bad = kstream(['sql', ...d, '-e', 'SHOW TABLES;\nCREATE STREAM X AS SELECT NOPE FROM S;\nSHOW STREAMS;']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("line 2:27: SELECT column 'NOPE' cannot be resolved."); // the position in the -e text
    expect(bad.stdout).toContain(' Table Name');
    expect(bad.stdout).not.toContain(' Stream Name');
  });

  it('the interactive prompt in a terminal: multi-line statements, inserts, push with LIMIT, pull, SHOW TABLES', async () => {
    const socket = `kstream-sql-test-${process.pid}`;
    const session = 'sql';
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', timeout: 10_000 });
    const pane = () => tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', session);
    const waitFor = async (what: RegExp, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (what.test(pane())) return;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`the pane never showed ${what}:\n${pane()}`);
    };
    const type = async (line: string) => {
      // tmux takes an argument ending in ';' for a command separator: a trailing space keeps it text.
      tmux('send-keys', '-t', session, '-l', `${line} `);
      tmux('send-keys', '-t', session, 'Enter');
      await new Promise((r) => setTimeout(r, 100));
    };
    const history = join(dir, 'history');
    tmux('new-session', '-d', '-s', session, '-x', '200', '-y', '60', `env KSTREAM_SQL_HISTORY=${history} ${process.execPath} ${CLI} sql --data-dir ${dir}; sleep 60`); // the pane outlives the CLI, so its last lines can be read
    try {
      await waitFor(/ksql> $/m);
      await type("CREATE STREAM READINGS (SENSOR STRING KEY, TEMP DOUBLE)");
      await waitFor(/^>> $/m);
      await type("  WITH (KAFKA_TOPIC='readings', PARTITIONS=1, VALUE_FORMAT='JSON');");
      await waitFor(/Stream created/);
      await type("INSERT INTO READINGS (SENSOR, TEMP) VALUES ('a', 20.5);");
      await type("INSERT INTO READINGS (SENSOR, TEMP) VALUES ('b', 18.0);");
      await type("INSERT INTO READINGS (SENSOR, TEMP) VALUES ('a', 21.5);");
      await type("SET 'auto.offset.reset'='earliest';");
      await waitFor(/Successfully changed local property/);
      await type('SELECT SENSOR, TEMP FROM READINGS EMIT CHANGES LIMIT 3;');
      await waitFor(/Limit Reached\nQuery terminated/);
      expect(pane()).toMatch(/\|SENSOR +\|TEMP +\|\n\+-+\+-+\+\n\|a +\|20\.5 +\|\n\|b +\|18\.0 +\|\n\|a +\|21\.5 +\|/);
      await type('CREATE TABLE LAST_TEMP AS SELECT SENSOR, LATEST_BY_OFFSET(TEMP) AS TEMP, COUNT(*) AS N FROM READINGS GROUP BY SENSOR;');
      await waitFor(/Created query with ID CTAS_LAST_TEMP_0/);
      // A pull query: the table's rows once the query has read the inserts.
      const deadline = Date.now() + 60_000;
      let found = false;
      while (!found && Date.now() < deadline) {
        tmux('send-keys', '-t', session, 'C-l');
        await type("SELECT * FROM LAST_TEMP WHERE SENSOR = 'a';");
        await new Promise((r) => setTimeout(r, 1_000));
        found = /\|a +\|21\.5 +\|2 +\|/.test(pane());
      }
      expect(pane()).toMatch(/\|SENSOR +\|TEMP +\|N +\|\n\+-+\+-+\+-+\+\n\|a +\|21\.5 +\|2 +\|/);
      await type('SHOW TABLES;');
      await waitFor(/ LAST_TEMP +\| LAST_TEMP +\| KAFKA +\| JSON +\| false/);
      // A push query without LIMIT runs until Ctrl-C, and the prompt comes back.
      await type('SELECT * FROM READINGS EMIT CHANGES;');
      await waitFor(/READINGS EMIT CHANGES; *\n\+-+\+-+\+\n\|SENSOR +\|TEMP +\|\n\+-+\+-+\+\n(\|.*\n){3}/);
      tmux('send-keys', '-t', session, 'C-c');
      await waitFor(/Query terminated\n(\n)?ksql> $/m);
      await type('exit');
      await waitFor(/Exiting kstream sql\./);
      expect(readFileSync(history, 'utf8')).toContain('SHOW TABLES;');
    } finally {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
    }
  }, 180_000);
});
