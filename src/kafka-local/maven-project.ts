/**
 * Building a small Java program of the repo with Maven (jars from Maven Central) into kstream's
 * cache, once per version of its sources: `<cache>/<cacheName>/<hash of pom.xml and src/>`. Used by
 * the differential tests' Kafka Streams driver and by the peers benchmark.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { kstreamCacheDir } from './maven.js';

const BUILD_TIMEOUT_MS = 15 * 60_000;

export interface MavenProject {
  /** The folder with pom.xml and src/. */
  readonly dir: string;
  /** Folder under kstream's cache that holds the builds. */
  readonly cacheName: string;
  /** The jar the build makes (its presence marks a finished build). */
  readonly jar: string;
  /** What it is, for log lines and errors. */
  readonly what: string;
  /** Called before Maven runs (e.g. to install mvn and java where that is possible). */
  readonly beforeBuild?: () => void;
  readonly log?: (line: string) => void;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

/** A hash of what the jar is built from: pom.xml and every file under src/. */
export function mavenSourceHash(projectDir: string): string {
  const h = createHash('sha256');
  for (const f of [join(projectDir, 'pom.xml'), ...filesUnder(join(projectDir, 'src'))]) {
    h.update(relative(projectDir, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

/** The folder of the built project (the jar and lib/ with its dependencies); builds it when the cache has no build of these sources. */
export function ensureMavenProjectBuilt(project: MavenProject): string {
  const log = project.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const root = join(kstreamCacheDir(), project.cacheName);
  const dir = join(root, mavenSourceHash(project.dir));
  if (existsSync(join(dir, project.jar))) return dir;
  project.beforeBuild?.();
  const mvn = process.env.KSTREAM_MVN || 'mvn';
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  log(`${project.cacheName}: building the ${project.what} with Maven into ${dir} (jars from Maven Central on first use)`);
  const started = Date.now();
  const r = spawnSync(mvn, ['-B', '-q', 'package', `-Dkstream.build.dir=${tmp}`], {
    cwd: project.dir,
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`Maven (${mvn}) is not installed: the ${project.what} is built with it`);
  if (r.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`building the ${project.what} failed (mvn exit ${r.status ?? r.signal}):\n${tail}`);
  }
  try {
    renameSync(tmp, dir);
  } catch (err) {
    // another process finished the same build first: use theirs
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(join(dir, project.jar))) throw err;
  }
  log(`${project.cacheName}: built in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  pruneOldBuilds(root);
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
