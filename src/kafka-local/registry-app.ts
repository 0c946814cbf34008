/**
 * Apicurio Registry (a Confluent-compatible schema registry) from Maven Central, fetched with Maven and kept in
 * kstream's cache: `<cache>/schema-registry/apicurio-<version>/app/` holds the unpacked `-all.tar.gz` (a Quarkus
 * runner jar plus `lib/`) and `kstream-manifest.json`. As with the Kafka jars, `app/` appears only complete: it is
 * unpacked in a temporary sibling folder and renamed into place as the last step.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dirBytes, kstreamCacheDir, MavenProgress, removeStaleTempDirs, runMaven } from './maven.js';
import { stderrLog } from './processes.js';

/** Apicurio 3.0.x runs on Java 17 (3.3.x needs 21+). */
export const DEFAULT_APICURIO_VERSION = '3.0.9';
const MANIFEST_FILE = 'kstream-manifest.json';

export interface RegistryAppManifest {
  version: string;
  /** The runnable jar inside the app folder: `java -jar <runnerJar>`. */
  runnerJar: string;
  fetchedAt: string;
  fetchMs: number;
}

export interface RegistryApp {
  version: string;
  appDir: string;
  manifest: RegistryAppManifest;
  downloaded: boolean;
  elapsedMs: number;
}

export function registryVersionDir(version: string): string {
  return join(kstreamCacheDir(), 'schema-registry', `apicurio-${version}`);
}

export async function readRegistryManifest(version: string): Promise<RegistryAppManifest | undefined> {
  try {
    const m = JSON.parse(await readFile(join(registryVersionDir(version), 'app', MANIFEST_FILE), 'utf8')) as RegistryAppManifest;
    return m.version === version && typeof m.runnerJar === 'string' ? m : undefined;
  } catch {
    return undefined;
  }
}

function untar(archive: string, into: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn('tar', ['xzf', archive, '-C', into], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done() : fail(new Error(`tar could not unpack ${archive} (exit ${code}): ${err.trim()}`))));
  });
}

/** Make sure Apicurio Registry `version` is unpacked in the cache, fetching it with Maven when it is not. */
export async function ensureRegistryApp(opts: { version?: string; log?: (line: string) => void; timeoutMs?: number } = {}): Promise<RegistryApp> {
  const version = opts.version ?? DEFAULT_APICURIO_VERSION;
  if (!/^\d+\.\d+\.\d+(?:[-.][0-9A-Za-z.-]+)?$/.test(version)) throw new Error(`not an Apicurio Registry version: ${JSON.stringify(version)}`);
  const log = opts.log ?? stderrLog;
  const started = Date.now();
  const versionDir = registryVersionDir(version);
  const appDir = join(versionDir, 'app');
  const cached = await readRegistryManifest(version);
  if (cached) return { version, appDir, manifest: cached, downloaded: false, elapsedMs: Date.now() - started };

  await mkdir(versionDir, { recursive: true });
  await removeStaleTempDirs(versionDir);
  const tmp = join(versionDir, `.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  const tmpApp = join(tmp, 'app');
  await mkdir(tmpApp, { recursive: true });
  try {
    log(`fetching Apicurio Registry ${version} from Maven Central with Maven (first use) into ${appDir}`);
    const progress = new MavenProgress(log, log === stderrLog && process.stderr.isTTY === true);
    const artifact = `io.apicurio:apicurio-registry-app:${version}:tar.gz:all`;
    await runMaven(tmp, ['dependency:copy', `-Dartifact=${artifact}`, `-DoutputDirectory=${tmp}`], opts.timeoutMs ?? 15 * 60_000, progress, `Apicurio Registry ${version}`);
    progress.finish();
    const archive = join(tmp, `apicurio-registry-app-${version}-all.tar.gz`);
    if (!existsSync(archive)) throw new Error(`Maven finished but ${archive} is missing`);
    await untar(archive, tmpApp);
    const runnerJar = (await readdir(tmpApp)).find((f) => f.endsWith('-runner.jar'));
    if (!runnerJar) throw new Error(`the Apicurio Registry ${version} archive has no *-runner.jar`);
    const manifest: RegistryAppManifest = { version, runnerJar, fetchedAt: new Date().toISOString(), fetchMs: Date.now() - started };
    await writeFile(join(tmpApp, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
    if (existsSync(appDir)) {
      const other = await readRegistryManifest(version);
      if (other) return { version, appDir, manifest: other, downloaded: false, elapsedMs: Date.now() - started };
      await rm(appDir, { recursive: true, force: true });
    }
    try {
      await rename(tmpApp, appDir);
    } catch (err) {
      const other = await readRegistryManifest(version);
      if (other) return { version, appDir, manifest: other, downloaded: false, elapsedMs: Date.now() - started };
      throw err;
    }
    log(`Apicurio Registry ${version} ready: ${(((await dirBytes(join(appDir, 'lib'))) / 1e6) | 0)} MB of jars, in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return { version, appDir, manifest, downloaded: true, elapsedMs: Date.now() - started };
  } finally {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    if (!existsSync(appDir)) await rmdir(versionDir).catch(() => undefined);
  }
}
