/**
 * `local kafka start` / `local schema-registry start` downloads: a bar with the size of the files in
 * flight on a terminal (Maven run without -B so that it reports sizes), plain lines in logs and pipes.
 * Maven is a fake here (KSTREAM_MVN) that prints what Maven 3.8 prints and records its arguments.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { MavenProgress, downloadedBytes, transferProgress } from '../../src/kafka-local/download-progress.js';
import { runMaven } from '../../src/kafka-local/maven.js';

const FAKE_MVN = `#!/bin/sh
echo "$@" > "$(dirname "$0")/args"
echo "[INFO] Scanning for projects..."
printf 'Downloading from central: https://repo.maven.apache.org/maven2/a/a.jar\\n'
printf 'Progress (1): 1.2/4.6 MB\\rProgress (1): 2.3/4.6 MB\\rProgress (2): 4.6/4.6 MB | 100/400 kB\\rProgress (2): 4.6 MB | 400 kB\\r                    \\r'
printf 'Downloaded from central: https://repo.maven.apache.org/maven2/a/a.jar (4.6 MB at 3.8 MB/s)\\n'
printf 'Downloaded from central: https://repo.maven.apache.org/maven2/b/b.jar (400 kB at 1.0 MB/s)\\n'
echo "[INFO] BUILD SUCCESS"
`;

describe('download progress of Maven fetches', () => {
  let dir: string;
  let saved: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kstream-mvn-progress-'));
    writeFileSync(join(dir, 'mvn'), FAKE_MVN);
    chmodSync(join(dir, 'mvn'), 0o755);
    saved = process.env.KSTREAM_MVN;
    process.env.KSTREAM_MVN = join(dir, 'mvn');
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.KSTREAM_MVN;
    else process.env.KSTREAM_MVN = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the fake Maven through runMaven: what was drawn on the (fake) terminal and what was logged. */
  async function fetchWithFakeMaven(live: boolean): Promise<{ drawn: string; logged: string[] }> {
    const terminal = new PassThrough();
    let drawn = '';
    terminal.on('data', (d: Buffer) => (drawn += d.toString()));
    const logged: string[] = [];
    const progress = new MavenProgress((l) => logged.push(l), live, terminal);
    await runMaven(dir, ['dependency:copy-dependencies'], 30_000, progress, 'test jars');
    progress.finish();
    return { drawn, logged };
  }

  it('reads sizes from Maven transfer progress and download lines', () => {
    expect(transferProgress('Progress (1): 1.2/4.6 MB')).toEqual({ done: 1.2e6, total: 4.6e6 });
    expect(transferProgress('Progress (2): 4.6 MB | 100/400 kB')).toEqual({ done: 4.7e6, total: 5e6 });
    expect(transferProgress('[INFO] BUILD SUCCESS')).toBeNull();
    expect(downloadedBytes('Downloaded from central: https://x/y.jar (400 kB at 1.0 MB/s)')).toBe(400e3);
    expect(downloadedBytes('Downloading from central: https://x/y.jar')).toBeNull();
  });

  it('on a terminal: Maven without -B, a bar redrawn in place with the size of the files in flight', async () => {
    const { drawn, logged } = await fetchWithFakeMaven(true);
    const args = readFileSync(join(dir, 'args'), 'utf8').trim().split(' ');
    expect(args).not.toContain('-B');
    expect(args).toContain('dependency:copy-dependencies');
    const frames = drawn.split('\r\x1b[2K').filter((f) => f !== '');
    expect(frames[0]).toBe('  downloading [#####---------------]  26% 1.2/4.6 MB · 0 files, 0.0 MB done');
    expect(frames).toContain('  downloading 2 files, 5.0 MB done');
    // The line is cleared at the end and the summary is logged once.
    expect(drawn.endsWith('\r\x1b[2K')).toBe(true);
    expect(logged).toEqual(['  … 2 files downloaded (5.0 MB)']);
  });

  it('in logs and pipes: batch mode, no bar, no control characters', async () => {
    const { drawn, logged } = await fetchWithFakeMaven(false);
    expect(readFileSync(join(dir, 'args'), 'utf8').trim().split(' ')[0]).toBe('-B');
    expect(drawn).toBe('');
    expect(logged).toEqual(['  … 2 files downloaded (5.0 MB)']);
    expect(logged.join('\n')).not.toMatch(/[\r\x1b]/);
  });
});
