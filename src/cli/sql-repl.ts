/**
 * The prompt of `kstream sql` and its non-interactive modes (see sql-command.ts). Ctrl-C stops a
 * running push query (or clears the statement being typed); Ctrl-D or `exit` leaves.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { consoleLogger } from '../common/logger.js';
import { UserError } from './errors.js';
import { KsqlClient } from './sql-client.js';
import { SqlShell } from './sql-shell.js';
import type { KsqlServer } from '../server/ksql-server.js';
import type { Log } from '../log/types.js';

const HISTORY_LINES = 1000;

export interface SqlReplOptions {
  execute?: string;
  file?: string;
  user?: string;
  ca?: string;
  dataDir: string;
  serviceId?: string;
}

function historyFile(): string {
  return process.env.KSTREAM_SQL_HISTORY ?? join(homedir(), '.kstream_sql_history');
}

function loadHistory(): string[] {
  try {
    return readFileSync(historyFile(), 'utf8').split('\n').filter((l) => l !== '').slice(-HISTORY_LINES).reverse();
  } catch {
    return [];
  }
}

function saveHistory(lines: readonly string[]): void {
  try {
    writeFileSync(historyFile(), `${[...lines].slice(0, HISTORY_LINES).reverse().join('\n')}\n`, { mode: 0o600 });
  } catch {
    // No history file is not worth an error.
  }
}

export async function runSqlCli(url: string | undefined, options: SqlReplOptions): Promise<number> {
  let local: { server: KsqlServer; log: Log } | null = null;
  if (url === undefined) {
    const { startServer } = await import('./server-start.js');
    local = await startServer({ dataDir: options.dataDir, listeners: 'http://127.0.0.1:0', ...(options.serviceId !== undefined ? { serviceId: options.serviceId } : {}) }, consoleLogger());
  } else if (!/^https?:\/\/[^/]+\/?$/.test(url)) {
    throw new UserError(`server URL: expected http://host:port or https://host:port, got '${url}'`);
  }
  const user = options.user ?? process.env.KSTREAM_SQL_USER;
  let ca: Buffer | undefined;
  try {
    ca = options.ca === undefined ? undefined : readFileSync(options.ca);
  } catch (e) {
    throw new UserError(`--ca ${options.ca}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const client = new KsqlClient({ url: local?.server.url ?? url!, ...(user !== undefined ? { basicAuth: user } : {}), ...(ca !== undefined ? { ca } : {}) });
  const shell = new SqlShell(client, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }, process.stdout.columns ?? 120);
  try {
    if (options.execute !== undefined || options.file !== undefined || !process.stdin.isTTY) return await runScript(shell, options);
    return await interactive(shell, client.url, local !== null);
  } finally {
    await local?.server.close();
    await local?.log.close();
  }
}

async function runScript(shell: SqlShell, options: SqlReplOptions): Promise<number> {
  let text: string;
  let baseDir = process.cwd();
  if (options.execute !== undefined) text = options.execute;
  else if (options.file !== undefined) {
    try {
      text = readFileSync(options.file, 'utf8');
    } catch (e) {
      throw new UserError(`cannot read ${options.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    baseDir = dirname(resolve(options.file));
  } else text = readFileSync(0, 'utf8');
  const onSignal = () => {
    if (!shell.interrupt()) process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const first = await shell.runText(text, baseDir);
    if (!first.ok) return 1;
    if (first.rest === '') return 0;
    return (await shell.runText(`${first.rest};`, baseDir)).ok ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function interactive(shell: SqlShell, url: string, inProcess: boolean): Promise<number> {
  process.stdout.write(
    `kstream sql: connected to ${url}${inProcess ? ' (a server in this process, on the embedded log)' : ''}\n` +
      `End statements with ';' (they may span lines). Ctrl-C stops a running query; Ctrl-D or 'exit' leaves.\n\n`,
  );
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true, history: loadHistory(), historySize: HISTORY_LINES, removeHistoryDuplicates: true });
  let buffer = '';
  const prompt = () => {
    rl.setPrompt(buffer === '' ? 'ksql> ' : '>> ');
    rl.prompt();
  };
  // Ctrl-C stops the running query, or drops what is typed so far; Ctrl-D leaves.
  rl.on('SIGINT', () => {
    if (shell.interrupt()) return;
    buffer = '';
    rl.write(null, { ctrl: true, name: 'u' });
    process.stdout.write('\n');
    prompt();
  });
  const lines: string[] = [];
  let wake: (() => void) | null = null;
  let closed = false;
  rl.on('line', (l) => {
    lines.push(l);
    wake?.();
  });
  rl.on('close', () => {
    closed = true;
    wake?.();
  });
  prompt();
  while (true) {
    if (lines.length === 0) {
      if (closed) break;
      await new Promise<void>((r) => (wake = r));
      wake = null;
      continue;
    }
    const line = lines.shift()!;
    if (buffer === '' && /^\s*(exit|quit)\s*;?\s*$/i.test(line)) break;
    buffer = buffer === '' ? line : `${buffer}\n${line}`;
    const { rest } = await shell.runText(buffer, process.cwd());
    buffer = rest;
    process.stdout.write(rest === '' && line.trim() !== '' ? '\n' : '');
    if (!closed) prompt();
  }
  saveHistory((rl as unknown as { history: string[] }).history ?? []);
  rl.close();
  process.stdout.write('Exiting kstream sql.\n');
  return 0;
}
