/**
 * Process and file helpers shared by the local services (Kafka broker, schema registry): liveness of a
 * detached JVM by pid, its command line, a start lock per data dir, a free-port check, log tails.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, isAbsolute, resolve } from 'node:path';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // a zombie (exited, not yet reaped by its parent) is dead for our purposes
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
  } catch {
    /* no /proc (macOS): trust kill(0) */
  }
  return true;
}

export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    try {
      return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
    } catch {
      return undefined;
    }
  }
}

/** The pid in a pid file, or undefined. */
export async function readPidFile(file: string): Promise<number | undefined> {
  try {
    const n = Number((await readFile(file, 'utf8')).trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((done) => {
    const srv = createServer();
    srv.once('error', () => done(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => done(true)));
  });
}

export function checkPort(name: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name} must be a TCP port (1-65535), got ${port}`);
}

export async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`timed out after ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** A lock file created exclusively, holding the owner's pid; a lock whose owner is gone is taken over. */
export async function acquireLock(file: string, timeoutMs: number, what: string): Promise<() => Promise<void>> {
  await mkdir(dirname(file), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      return () => rm(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (owner ? !pidAlive(owner) : await olderThan(file, 5000)) {
      await rm(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`another process (pid ${owner}) is starting ${what} from the same data dir (${file})`);
    await sleep(200);
  }
}

async function olderThan(file: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(file)).mtimeMs > ms;
  } catch {
    return true;
  }
}

/**
 * SIGTERM, wait up to `timeoutMs`, then SIGKILL. Returns whether SIGKILL was needed; throws if the process
 * survives even that.
 */
export async function terminate(pid: number, what: string, timeoutMs: number, log: (line: string) => void): Promise<boolean> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    /* gone already */
  }
  const deadline = Date.now() + timeoutMs;
  while (pidAlive(pid) && Date.now() < deadline) await sleep(100);
  if (!pidAlive(pid)) return false;
  log(`${what} (pid ${pid}) did not stop within ${Math.round(timeoutMs / 1000)}s; killing it`);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
  const hard = Date.now() + 10_000;
  while (pidAlive(pid) && Date.now() < hard) await sleep(100);
  if (pidAlive(pid)) throw new Error(`${what} (pid ${pid}) survived SIGKILL`);
  return true;
}

/** Last `lines` lines of a file ('' if it does not exist). */
export async function tailFile(file: string, lines = 40, maxBytes = 64 * 1024): Promise<string> {
  let fh;
  try {
    fh = await open(file, 'r');
    const { size } = await fh.stat();
    const len = Math.min(size, maxBytes);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, size - len);
    return buf.toString('utf8').split('\n').slice(-lines - 1).join('\n').trimEnd();
  } catch {
    return '';
  } finally {
    await fh?.close();
  }
}

export function stderrLog(line: string): void {
  process.stderr.write(`kstream: ${line}\n`);
}

/** Starts `command args` detached from this process (output appended to `outputFile`) and returns its pid. */
export async function spawnDetached(command: string, args: string[], cwd: string, outputFile: string): Promise<number> {
  const out = openSync(outputFile, 'a');
  let child;
  try {
    child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', out, out] });
  } finally {
    closeSync(out);
  }
  const pid = await new Promise<number>((ok, fail) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      fail(err.code === 'ENOENT' ? new Error(`${command} was not found (set JAVA_HOME or put java 17+ on PATH)`) : err),
    );
    child.once('spawn', () => ok(child.pid as number));
  });
  child.unref();
  return pid;
}

/** `dataDir` made absolute, or the default when none is given. */
export function absoluteDir(dataDir: string | undefined, fallback: () => string): string {
  if (!dataDir) return fallback();
  return isAbsolute(dataDir) ? dataDir : resolve(dataDir);
}

/** A JSON file's content, or undefined when it is missing or not JSON. */
export async function readJsonFile<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The pid in `pidFile` if it is a live process whose command line has every marker; a stale pid file is removed. */
export async function runningPidFrom(pidFile: string, markers: readonly string[]): Promise<number | undefined> {
  const pid = await readPidFile(pidFile);
  if (pid === undefined) return undefined;
  const cmd = pidAlive(pid) ? commandLine(pid) : undefined;
  if (cmd !== undefined && markers.every((m) => cmd.includes(m))) return pid;
  await rm(pidFile, { force: true });
  return undefined;
}
