import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureCommand, findOnPath } from './system-tools.js';

/**
 * The set-up logic that installs kcat / Maven for `npm test`, run against PATHs of fake tools: a fake apt-get
 * that logs its arguments and "installs" the command by writing it into a bin dir (the machine's own kcat is
 * never touched).
 */
describe('ensureCommand', () => {
  let dir: string;
  let bin: string;
  let tools: string;
  const quiet = { log: () => undefined };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kstream-system-tools-'));
    bin = join(dir, 'bin');
    tools = join(dir, 'tools');
    mkdirSync(bin);
    mkdirSync(tools);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function script(path: string, body: string): void {
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
  }

  // the fake tools call these by absolute path: the PATH under test holds nothing but the fakes
  const chmod = findOnPath('chmod')!;
  const touch = findOnPath('touch')!;

  /** apt-get that fails `install` until `update` ran when `needsUpdate`, and can have no source for the package. */
  function fakeAptGet(opts: { needsUpdate?: boolean; noSource?: boolean } = {}): string {
    const log = join(dir, 'apt.log');
    script(
      join(tools, 'apt-get'),
      [
        `echo "$@" >> ${log}`,
        `if [ "$1" = update ]; then ${touch} ${join(dir, 'updated')}; exit 0; fi`,
        opts.needsUpdate ? `[ -f ${join(dir, 'updated')} ] || { echo "E: Unable to locate package $5" >&2; exit 100; }` : '',
        opts.noSource ? `echo "E: Unable to locate package $5" >&2; exit 100` : '',
        `printf '#!/bin/sh\\necho fake\\n' > ${join(bin, 'kcat')}; ${chmod} 755 ${join(bin, 'kcat')}`,
      ].join('\n'),
    );
    return log;
  }

  const path = () => [bin, tools].join(delimiter);

  it('finds a command that is on the PATH and installs nothing', () => {
    script(join(bin, 'kcat'), 'echo fake');
    const log = fakeAptGet();
    expect(findOnPath('kcat', path())).toBe(join(bin, 'kcat'));
    expect(ensureCommand('kcat', 'kcat', { path: path(), isRoot: true, ...quiet })).toBe('present');
    expect(() => readFileSync(log)).toThrow();
  });

  it('installs a missing command with apt-get when root', () => {
    const log = fakeAptGet();
    expect(findOnPath('kcat', path())).toBeNull();
    expect(ensureCommand('kcat', 'kcat', { path: path(), isRoot: true, ...quiet })).toBe('installed');
    expect(readFileSync(log, 'utf8')).toBe('install -y -qq --no-install-recommends kcat\n');
    expect(findOnPath('kcat', path())).toBe(join(bin, 'kcat'));
  });

  it('updates the package lists once when the first install finds no package', () => {
    const log = fakeAptGet({ needsUpdate: true });
    expect(ensureCommand('kcat', 'kcat', { path: path(), isRoot: true, ...quiet })).toBe('installed');
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
      'install -y -qq --no-install-recommends kcat',
      'update -qq',
      'install -y -qq --no-install-recommends kcat',
    ]);
  });

  it('says what to install when no package source has the package', () => {
    fakeAptGet({ noSource: true });
    expect(() => ensureCommand('kcat', 'kcat', { path: path(), isRoot: true, ...quiet })).toThrow(
      /^kcat is not installed and apt-get could not install kcat \(no package source has it, or none is reachable\): [\s\S]*Unable to locate package kcat/,
    );
  });

  it('says what to install when not root, without running apt-get', () => {
    const log = fakeAptGet();
    expect(() => ensureCommand('kcat', 'kcat', { path: path(), isRoot: false, ...quiet })).toThrow(
      'kcat is not installed and the tests cannot install it without root: install it (Debian/Ubuntu: sudo apt-get install kcat, or run .ci/install-kafka.sh as root)',
    );
    expect(() => readFileSync(log)).toThrow();
  });

  it('says so when there is no apt-get', () => {
    expect(() => ensureCommand('kcat', 'kcat', { path: [bin, '/nonexistent'].join(delimiter), isRoot: true, ...quiet })).toThrow(
      'kcat is not installed and this machine has no apt-get to install kcat with: install kcat with its package manager',
    );
  });
});
