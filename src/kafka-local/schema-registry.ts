/**
 * A real Confluent-compatible schema registry for development and tests: Apicurio Registry with in-memory
 * storage on 127.0.0.1, its Confluent API at `http://127.0.0.1:<port>/apis/ccompat/v7`.
 *
 * Like the local broker it runs detached: `startLocalSchemaRegistry` returns once the registry answers, and
 * `stopLocalSchemaRegistry` (from any process) stops it by the pid file in its data dir
 * (default `<cache>/local-schema-registry/<port>`: registry.pid, kstream-local-registry.json, logs/registry.log).
 * Schemas live in memory: a restart starts empty.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_APICURIO_VERSION, ensureRegistryApp } from './registry-app.js';
import { javaCommand, kstreamCacheDir } from './maven.js';
import { absoluteDir, acquireLock, checkPort, pidAlive, portFree, readJsonFile, runningPidFrom, sleep, spawnDetached, stderrLog, tailFile, terminate } from './processes.js';

export const DEFAULT_LOCAL_REGISTRY_PORT = 8081;
const HOST = '127.0.0.1';
const PID_FILE = 'registry.pid';
const STATE_FILE = 'kstream-local-registry.json';
const MARKER_PROP = 'kstream.local.registry.dir';
/** Path of the Confluent-compatible API below the registry's root. */
export const CCOMPAT_PATH = '/apis/ccompat/v7';

export interface LocalRegistryOptions {
  port?: number;
  dataDir?: string;
  /** Apicurio Registry version (default {@link DEFAULT_APICURIO_VERSION}). */
  version?: string;
  /** Give up waiting after this long (default 120 s), stopping the registry and reporting its log. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface LocalRegistryInfo {
  /** `http://127.0.0.1:<port>/apis/ccompat/v7`: what `schema.registry.url` takes. */
  url: string;
  port: number;
  dataDir: string;
  logFile: string;
  version?: string;
  /** Undefined when something not started from this data dir answers on the port. */
  pid?: number;
  alreadyRunning: boolean;
  startupMs: number;
  downloadMs: number;
}

export interface LocalRegistryStatus {
  running: boolean;
  answering: boolean;
  pid?: number;
  version?: string;
  url: string;
  port: number;
  dataDir: string;
  logFile: string;
  startedAt?: string;
}

interface StateFile {
  version: string;
  port: number;
  pid: number;
  startedAt: string;
}

export function defaultLocalRegistryDataDir(port: number = DEFAULT_LOCAL_REGISTRY_PORT): string {
  return join(kstreamCacheDir(), 'local-schema-registry', String(port));
}

function resolveDataDir(dataDir: string | undefined, port: number): string {
  return absoluteDir(dataDir, () => defaultLocalRegistryDataDir(port));
}

export function localRegistryUrl(port: number): string {
  return `http://${HOST}:${port}${CCOMPAT_PATH}`;
}

function readState(dataDir: string): Promise<StateFile | undefined> {
  return readJsonFile<StateFile>(join(dataDir, STATE_FILE));
}

function runningPid(dataDir: string): Promise<number | undefined> {
  return runningPidFrom(join(dataDir, PID_FILE), [`-D${MARKER_PROP}=${dataDir}`]);
}

/** Does a Confluent-compatible registry answer at `url` (its `/subjects` lists)? */
export async function registryAnswers(url: string, timeoutMs = 3000): Promise<boolean> {
  try {
    const res = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

async function logTail(logFile: string): Promise<string> {
  const tail = await tailFile(logFile, 30);
  return tail ? `\n--- last lines of ${logFile} ---\n${tail}` : `\n(no registry log at ${logFile})`;
}

/** Start Apicurio Registry on 127.0.0.1 and wait until its Confluent API answers; reports one already running. */
export async function startLocalSchemaRegistry(opts: LocalRegistryOptions = {}): Promise<LocalRegistryInfo> {
  const log = opts.log ?? stderrLog;
  const port = opts.port ?? DEFAULT_LOCAL_REGISTRY_PORT;
  checkPort('port', port);
  const dataDir = resolveDataDir(opts.dataDir, port);
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const release = await acquireLock(`${dataDir}.start-lock`, timeoutMs + 15 * 60_000, 'the schema registry');
  try {
    return await startLocked(port, dataDir, timeoutMs, opts.version ?? DEFAULT_APICURIO_VERSION, log);
  } finally {
    await release();
  }
}

async function startLocked(port: number, dataDir: string, timeoutMs: number, version: string, log: (line: string) => void): Promise<LocalRegistryInfo> {
  const url = localRegistryUrl(port);
  const logFile = join(dataDir, 'logs', 'registry.log');
  await mkdir(join(dataDir, 'logs'), { recursive: true });

  const existing = await runningPid(dataDir);
  if (existing !== undefined) {
    const state = await readState(dataDir);
    const runningUrl = localRegistryUrl(state?.port ?? port);
    log(`the schema registry (Apicurio ${state?.version ?? '?'}) is already running at ${runningUrl} (pid ${existing})`);
    await waitForRegistry(runningUrl, timeoutMs, () => pidAlive(existing), logFile);
    return { url: runningUrl, port: state?.port ?? port, dataDir, logFile, version: state?.version, pid: existing, alreadyRunning: true, startupMs: 0, downloadMs: 0 };
  }
  if (!(await portFree(port, HOST))) {
    if (await registryAnswers(url)) {
      log(`a schema registry not started from ${dataDir} already answers at ${url}; using it`);
      return { url, port, dataDir, logFile, alreadyRunning: true, startupMs: 0, downloadMs: 0 };
    }
    throw new Error(`port ${port} on ${HOST} is taken by something that does not answer as a schema registry; choose another --port`);
  }

  const app = await ensureRegistryApp({ version, log });
  const heap = (process.env.KSTREAM_REGISTRY_HEAP_OPTS ?? '-Xms64m -Xmx384m').split(/\s+/).filter(Boolean);
  const jvm = [
    ...heap,
    '-XX:+ExitOnOutOfMemoryError',
    `-D${MARKER_PROP}=${dataDir}`,
    `-Dquarkus.http.host=${HOST}`,
    `-Dquarkus.http.port=${port}`,
    // the default storage is an in-memory H2 database; allow the deletes the Confluent API offers
    '-Dapicurio.rest.deletion.artifact.enabled=true',
    '-Dapicurio.rest.deletion.artifact-version.enabled=true',
    '-Dapicurio.rest.deletion.group.enabled=true',
    '-jar',
    join(app.appDir, app.manifest.runnerJar),
  ];
  const spawnedAt = Date.now();
  const pid = await spawnDetached(javaCommand(), jvm, dataDir, logFile);
  await writeFile(join(dataDir, PID_FILE), `${pid}\n`);
  const state: StateFile = { version, port, pid, startedAt: new Date().toISOString() };
  await writeFile(join(dataDir, STATE_FILE), JSON.stringify(state, null, 2) + '\n');
  log(`starting Apicurio Registry ${version} (pid ${pid}) at ${url}, log ${logFile}`);
  try {
    await waitForRegistry(url, timeoutMs, () => pidAlive(pid), logFile);
  } catch (err) {
    if (pidAlive(pid)) await stopLocalSchemaRegistry({ dataDir, timeoutMs: 10_000, log: () => undefined });
    else await rm(join(dataDir, PID_FILE), { force: true });
    throw err;
  }
  const startupMs = Date.now() - spawnedAt;
  log(`the schema registry is ready at ${url} (pid ${pid}, ${(startupMs / 1000).toFixed(1)}s)`);
  return { url, port, dataDir, logFile, version, pid, alreadyRunning: false, startupMs, downloadMs: app.downloaded ? app.elapsedMs : 0 };
}

async function waitForRegistry(url: string, timeoutMs: number, isAlive: () => boolean, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isAlive()) throw new Error(`the schema registry process exited before it answered at ${url}${await logTail(logFile)}`);
    if (await registryAnswers(url, 2000)) return;
    if (Date.now() >= deadline) throw new Error(`the schema registry did not answer at ${url} within ${Math.round(timeoutMs / 1000)}s${await logTail(logFile)}`);
    await sleep(300);
  }
}

export async function stopLocalSchemaRegistry(opts: { port?: number; dataDir?: string; timeoutMs?: number; log?: (line: string) => void } = {}): Promise<{ wasRunning: boolean; pid?: number; killed: boolean; dataDir: string }> {
  const log = opts.log ?? stderrLog;
  const dataDir = resolveDataDir(opts.dataDir, opts.port ?? DEFAULT_LOCAL_REGISTRY_PORT);
  const pid = await runningPid(dataDir);
  if (pid === undefined) return { wasRunning: false, killed: false, dataDir };
  log(`stopping the schema registry (pid ${pid}) from ${dataDir}`);
  const killed = await terminate(pid, 'the schema registry', opts.timeoutMs ?? 30_000, log);
  await rm(join(dataDir, PID_FILE), { force: true });
  return { wasRunning: true, pid, killed, dataDir };
}

export async function statusLocalSchemaRegistry(opts: { port?: number; dataDir?: string } = {}): Promise<LocalRegistryStatus> {
  const dataDir = resolveDataDir(opts.dataDir, opts.port ?? DEFAULT_LOCAL_REGISTRY_PORT);
  const state = await readState(dataDir);
  const port = state?.port ?? opts.port ?? DEFAULT_LOCAL_REGISTRY_PORT;
  const url = localRegistryUrl(port);
  const pid = await runningPid(dataDir);
  const running = pid !== undefined;
  return {
    running,
    answering: running ? await registryAnswers(url) : false,
    pid,
    version: state?.version,
    url,
    port,
    dataDir,
    logFile: join(dataDir, 'logs', 'registry.log'),
    startedAt: running ? state?.startedAt : undefined,
  };
}
