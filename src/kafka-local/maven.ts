/**
 * Fetching artifacts from Maven Central with Maven into kstream's cache (`$KSTREAM_CACHE_DIR` or
 * `~/.cache/kstream`), and finding java: shared by the local Kafka broker and the local schema registry.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pidAlive } from './processes.js';
import { MavenProgress } from './download-progress.js';

export { MavenProgress };

/** `$KSTREAM_CACHE_DIR`, else `~/.cache/kstream`. */
export function kstreamCacheDir(): string {
  const fromEnv = process.env.KSTREAM_CACHE_DIR;
  if (fromEnv && fromEnv.trim() !== '') return fromEnv;
  return join(homedir(), '.cache', 'kstream');
}

/** The java executable: `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java` from PATH. */
export function javaCommand(): string {
  const home = process.env.JAVA_HOME;
  if (home && existsSync(join(home, 'bin', 'java'))) return join(home, 'bin', 'java');
  return 'java';
}

/** `$KSTREAM_MVN` or `mvn`. */
function mvnCommand(): string {
  return process.env.KSTREAM_MVN || 'mvn';
}

export async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const f of await readdir(dir)) total += (await stat(join(dir, f))).size;
  return total;
}

/** Temp folders of downloads whose process is gone (killed mid-download). */
export async function removeStaleTempDirs(versionDir: string): Promise<void> {
  for (const name of await readdir(versionDir)) {
    const m = /^\.(?:tmp|stale)-(\d+)-/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && pidAlive(pid)) continue;
    await rm(join(versionDir, name), { recursive: true, force: true }).catch(() => undefined);
  }
}

export function runMaven(cwd: string, goals: string[], timeoutMs: number, progress: MavenProgress, what: string): Promise<void> {
  // -U: retry artifacts whose earlier absence Maven cached (a version published since); this runs only on a cache miss.
  // On a terminal, not in batch mode: Maven then reports each transfer's size, which the progress bar shows.
  const args = [...(progress.live ? ['-Dstyle.color=never'] : ['-B']), '-U', ...goals];
  return new Promise((resolve, reject) => {
    let child;
    try {
      child = spawn(mvnCommand(), args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    } catch (err) {
      reject(err);
      return;
    }
    const errors: string[] = [];
    const tail: string[] = [];
    let buf = '';
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString('utf8');
      let nl: number;
      // Maven redraws its transfer progress with \r: each redraw is a line here.
      while ((nl = buf.search(/[\r\n]/)) >= 0) {
        // strip ANSI colour codes that some Maven setups emit even in batch mode
        // eslint-disable-next-line no-control-regex
        const line = buf.slice(0, nl).replace(/\x1b\[[0-9;]*m/g, '').trimEnd();
        buf = buf.slice(nl + 1);
        if (line === '') continue;
        progress.line(line);
        if (line.startsWith('[ERROR]') && !/^\[ERROR\]\s*($|To see the full|Re-run Maven|For more information|\[Help \d)/.test(line)) {
          errors.push(line);
        }
        tail.push(line);
        if (tail.length > 30) tail.shift();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Maven did not finish within ${Math.round(timeoutMs / 1000)}s (mvn ${args.join(' ')} in ${cwd})`));
    }, timeoutMs);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        err.code === 'ENOENT'
          ? new Error(`Maven (${mvnCommand()}) was not found: it is needed once to fetch ${what} from Maven Central (Debian: apt-get install maven)`)
          : err,
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        resolve();
        return;
      }
      const detail = (errors.length ? errors : tail).slice(0, 20).join('\n');
      reject(new Error(`Maven failed (${signal ?? `exit ${code}`}) fetching ${what}: mvn ${args.join(' ')}\n${detail}`));
    });
  });
}
