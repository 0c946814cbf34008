/**
 * Command-line tools the tests need from the system (kcat for the Kafka interop tests, Maven and Java for
 * the differential suite), installed by the test run itself where it can: with apt-get when running as root
 * (the CI and the developers' machines), as .ci/install-kafka.sh does. Where that cannot work (not root, no
 * apt-get, no package source with the package) the error says what to install.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface EnsureCommandOptions {
  /** The PATH to search and to run apt-get with (default: this process's). */
  readonly path?: string;
  /** Whether this process may install packages (default: uid 0). */
  readonly isRoot?: boolean;
  /** Upper bound for each apt-get run. */
  readonly timeoutMs?: number;
  readonly log?: (line: string) => void;
}

/** The full path of `command` on `path`, or null. */
export function findOnPath(command: string, path: string = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return null;
}

function runApt(aptGet: string, args: string[], path: string, timeoutMs: number): { ok: boolean; output: string } {
  const r = spawnSync(aptGet, args, {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, PATH: path, DEBIAN_FRONTEND: 'noninteractive' },
    maxBuffer: 16 * 1024 * 1024,
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error.message) : ''}`.trim();
  return { ok: r.status === 0, output };
}

function lastLines(text: string, n = 5): string {
  return text.split('\n').slice(-n).join('\n');
}

/**
 * Makes sure `command` is on the PATH, installing the Debian package `aptPackage` when it is missing and
 * this process is root. Returns 'present' or 'installed'; throws one clear message otherwise.
 */
export function ensureCommand(command: string, aptPackage: string, opts: EnsureCommandOptions = {}): 'present' | 'installed' {
  const path = opts.path ?? process.env.PATH ?? '';
  if (findOnPath(command, path) !== null) return 'present';
  const isRoot = opts.isRoot ?? process.getuid?.() === 0;
  const hint = `install it (Debian/Ubuntu: sudo apt-get install ${aptPackage}, or run .ci/install-kafka.sh as root)`;
  if (!isRoot) throw new Error(`${command} is not installed and the tests cannot install it without root: ${hint}`);
  const aptGet = findOnPath('apt-get', path);
  if (aptGet === null) throw new Error(`${command} is not installed and this machine has no apt-get to install ${aptPackage} with: install ${command} with its package manager`);
  const timeoutMs = opts.timeoutMs ?? 10 * 60_000;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  log(`tests: ${command} is missing: apt-get install ${aptPackage}`);
  const install = ['install', '-y', '-qq', '--no-install-recommends', aptPackage];
  let r = runApt(aptGet, install, path, timeoutMs);
  if (!r.ok) {
    // a fresh machine has no package lists yet (or stale ones): update once, then try again
    const update = runApt(aptGet, ['update', '-qq'], path, timeoutMs);
    r = runApt(aptGet, install, path, timeoutMs);
    if (!r.ok) {
      throw new Error(
        `${command} is not installed and apt-get could not install ${aptPackage} (no package source has it, or none is reachable): ` +
          `${lastLines(update.ok ? r.output : `${update.output}\n${r.output}`)}`,
      );
    }
  }
  if (findOnPath(command, path) === null) throw new Error(`apt-get installed ${aptPackage} but ${command} is still not on the PATH (${path})`);
  return 'installed';
}
