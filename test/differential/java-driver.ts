/**
 * The Kafka Streams side of the differential suite: builds java/ with Maven once (the jar and its
 * dependencies are cached in `<kstream cache>/differential/<hash of pom.xml and sources>`) and runs one
 * JVM that takes batches of cases on stdin and answers each with one JSON line.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { javaCommand, kstreamCacheDir } from '../../src/kafka-local/jars.js';
import { ensureCommand } from '../helpers/system-tools.js';
import type { Case, CaseResult } from './cases.js';

const JAVA_DIR = fileURLToPath(new URL('./java', import.meta.url));
const BUILD_TIMEOUT_MS = 15 * 60_000;

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

function canWrite(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** A hash of what the jar is built from: pom.xml and every file under src/. */
export function sourceHash(): string {
  const h = createHash('sha256');
  for (const f of [join(JAVA_DIR, 'pom.xml'), ...filesUnder(join(JAVA_DIR, 'src'))]) {
    h.update(relative(JAVA_DIR, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

/** The built driver's folder; builds it with Maven when the cache has no build of these sources. */
export function ensureJavaDriverBuilt(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): string {
  const dir = join(kstreamCacheDir(), 'differential', sourceHash());
  if (existsSync(join(dir, 'differential-driver-1.jar'))) return dir;
  const mvn = process.env.KSTREAM_MVN || 'mvn';
  if (!process.env.KSTREAM_MVN) ensureCommand('mvn', 'maven');
  if (javaCommand() === 'java') ensureCommand('java', 'openjdk-17-jdk-headless');
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  log(`differential: building the Kafka Streams driver with Maven into ${dir} (jars from Maven Central on first use)`);
  const started = Date.now();
  const r = spawnSync(mvn, ['-B', '-q', 'package', `-Dkstream.build.dir=${tmp}`], {
    cwd: JAVA_DIR,
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`Maven (${mvn}) is not installed: the differential tests build their Kafka Streams driver with it`);
  if (r.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`building the Kafka Streams driver failed (mvn exit ${r.status ?? r.signal}):\n${tail}`);
  }
  try {
    renameSync(tmp, dir);
  } catch (err) {
    // another process finished the same build first: use theirs
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(join(dir, 'differential-driver-1.jar'))) throw err;
  }
  log(`differential: driver built in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  pruneOldBuilds(join(kstreamCacheDir(), 'differential'));
  return dir;
}

/** Keeps the newest builds (other checkouts may use other versions of the sources); removes older ones. */
function pruneOldBuilds(root: string, keep = 3): void {
  const builds = readdirSync(root)
    .filter((name) => /^[0-9a-f]{16}$/.test(name))
    .map((name) => ({ path: join(root, name), mtime: statSync(join(root, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const old of builds.slice(keep)) rmSync(old.path, { recursive: true, force: true });
}

/** One JVM running Kafka Streams' TopologyTestDriver on batches of cases. */
export class JavaDriver {
  private readonly pending: Array<{ resolve: (line: string) => void; reject: (err: Error) => void }> = [];
  private exited: Error | null = null;
  private stderr = '';

  private constructor(private readonly proc: ChildProcess) {
    createInterface({ input: proc.stdout! }).on('line', (line) => this.pending.shift()?.resolve(line));
    proc.stderr!.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString('utf8')).slice(-4000);
    });
    proc.on('exit', (code, signal) => {
      this.exited = new Error(`the Kafka Streams driver exited (${signal ?? code}): ${this.stderr.trim()}`);
      for (const p of this.pending.splice(0)) p.reject(this.exited);
    });
  }

  static start(): JavaDriver {
    const dir = ensureJavaDriverBuilt();
    const cp = [join(dir, 'differential-driver-1.jar'), join(dir, 'lib', '*')].join(':');
    // RocksDB state on tmpfs where there is one: a case opens and deletes its stores, and fsyncs on a busy
    // disk cost several times the processing.
    const tmp = existsSync('/dev/shm') && canWrite('/dev/shm') ? ['-Djava.io.tmpdir=/dev/shm'] : [];
    const proc = spawn(javaCommand(), [...tmp, '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', cp, 'kstream.differential.Main', '--serve'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new JavaDriver(proc);
  }

  /** Runs the cases in Kafka Streams; results in the order of the cases. */
  run(cases: readonly Case[], timeoutMs = 10 * 60_000): Promise<CaseResult[]> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise<CaseResult[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`the Kafka Streams driver did not answer within ${timeoutMs} ms`));
        this.close();
      }, timeoutMs);
      this.pending.push({
        resolve: (line) => {
          clearTimeout(timer);
          try {
            resolve((JSON.parse(line) as { results: CaseResult[] }).results);
          } catch (err) {
            reject(new Error(`the Kafka Streams driver answered something that is not JSON: ${line.slice(0, 200)} (${(err as Error).message})`));
          }
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      this.proc.stdin!.write(`${JSON.stringify({ cases })}\n`);
    });
  }

  close(): void {
    if (this.exited === null) {
      this.proc.stdin!.end();
      this.proc.kill('SIGTERM');
    }
  }
}
