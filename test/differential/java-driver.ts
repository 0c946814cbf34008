/**
 * The Kafka Streams side of the differential suite: builds java/ with Maven once (the jar and its
 * dependencies are cached in `<kstream cache>/differential/<hash of pom.xml and sources>`) and runs one
 * JVM that takes batches of cases on stdin and answers each with one JSON line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { javaCommand } from '../../src/kafka-local/jars.js';
import { ensureMavenProjectBuilt, mavenSourceHash } from '../../src/kafka-local/maven-project.js';
import { ensureCommand } from '../helpers/system-tools.js';
import type { Case, CaseResult } from './cases.js';

const JAVA_DIR = fileURLToPath(new URL('./java', import.meta.url));

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
  return mavenSourceHash(JAVA_DIR);
}

/** The built driver's folder; builds it with Maven when the cache has no build of these sources. */
export function ensureJavaDriverBuilt(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): string {
  return ensureMavenProjectBuilt({
    dir: JAVA_DIR,
    cacheName: 'differential',
    jar: 'differential-driver-1.jar',
    what: 'Kafka Streams driver of the differential tests',
    log,
    beforeBuild: () => {
      if (!process.env.KSTREAM_MVN) ensureCommand('mvn', 'maven');
      if (javaCommand() === 'java') ensureCommand('java', 'openjdk-17-jdk-headless');
    },
  });
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
