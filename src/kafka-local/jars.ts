/**
 * Apache Kafka broker jars, fetched from Maven Central with Maven and kept in a per-version cache.
 *
 * Layout: `<cache>/kafka/<version>/libs/*.jar` plus `libs/kstream-manifest.json`, where `<cache>` is
 * `$KSTREAM_CACHE_DIR` or `~/.cache/kstream`. A version's `libs` folder appears only complete: it is
 * assembled in a temporary sibling folder and renamed into place as the last step, so a download
 * that is killed half way leaves nothing that looks usable.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dirBytes, kstreamCacheDir, MavenProgress, removeStaleTempDirs, runMaven } from './maven.js';

export { javaCommand, kstreamCacheDir } from './maven.js';

/** Newest 3.9 patch release on Maven Central when this was written. */
export const DEFAULT_KAFKA_VERSION = '3.9.2';

/** Name of the manifest written into a complete `libs` folder. */
export const MANIFEST_FILE = 'kstream-manifest.json';

/** reload4j (log4j 1.x API) version used as the logging backend for Kafka 3.x brokers. */
const RELOAD4J_VERSION = '1.2.25';

export type KafkaLogging = 'log4j1' | 'log4j2';

export interface KafkaJarsManifest {
  version: string;
  /** Class that runs the broker: `java -cp 'libs/*' <mainClass> server.properties`. */
  mainClass: string;
  /** Class that formats KRaft storage (`format -t <cluster id> -c server.properties`). */
  storageToolClass: string;
  /** log4j1 = reload4j + slf4j-reload4j (Kafka 3.x); log4j2 = log4j-core + log4j-slf4j(2)-impl (Kafka 4.x). */
  logging: KafkaLogging;
  jars: string[];
  fetchedAt: string;
  fetchMs: number;
}

export interface KafkaJars {
  version: string;
  libsDir: string;
  manifest: KafkaJarsManifest;
  /** True when this call fetched the jars; false when they were already cached. */
  downloaded: boolean;
  elapsedMs: number;
}

export interface EnsureKafkaJarsOptions {
  version?: string;
  /** Progress lines (default: to stderr). */
  log?: (line: string) => void;
  /** Upper bound for each Maven run (default 15 minutes). */
  timeoutMs?: number;
}

export function kafkaVersionDir(version: string): string {
  return join(kstreamCacheDir(), 'kafka', version);
}

export function kafkaLibsDir(version: string): string {
  return join(kafkaVersionDir(version), 'libs');
}

const VERSION_RE = /^\d+\.\d+\.\d+(?:[-.][0-9A-Za-z.-]+)?$/;

export function assertKafkaVersion(version: string): void {
  if (!VERSION_RE.test(version)) {
    throw new Error(`not a Kafka version: ${JSON.stringify(version)} (expected e.g. ${DEFAULT_KAFKA_VERSION} or 4.1.0)`);
  }
}

function stderrLog(line: string): void {
  process.stderr.write(`kstream: ${line}\n`);
}

/** The manifest of a complete cached version, or undefined when the version is not (fully) cached. */
export async function readKafkaJarsManifest(version: string): Promise<KafkaJarsManifest | undefined> {
  try {
    const text = await readFile(join(kafkaLibsDir(version), MANIFEST_FILE), 'utf8');
    const m = JSON.parse(text) as KafkaJarsManifest;
    if (m.version !== version || !Array.isArray(m.jars) || m.jars.length === 0) return undefined;
    return m;
  } catch {
    return undefined;
  }
}

/**
 * Make sure the broker jars of `version` are in the cache, fetching them with Maven when they are not.
 * Safe to call concurrently: the loser of a race throws its own copy away.
 */
export async function ensureKafkaJars(opts: EnsureKafkaJarsOptions = {}): Promise<KafkaJars> {
  const version = opts.version ?? DEFAULT_KAFKA_VERSION;
  assertKafkaVersion(version);
  const log = opts.log ?? stderrLog;
  const started = Date.now();
  const libsDir = kafkaLibsDir(version);

  const cached = await readKafkaJarsManifest(version);
  if (cached) return { version, libsDir, manifest: cached, downloaded: false, elapsedMs: Date.now() - started };

  const versionDir = kafkaVersionDir(version);
  await mkdir(versionDir, { recursive: true });
  await removeStaleTempDirs(versionDir);

  const tmp = join(versionDir, `.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  const tmpLibs = join(tmp, 'libs');
  await mkdir(tmpLibs, { recursive: true });
  try {
    log(`fetching Apache Kafka ${version} broker jars from Maven Central with Maven (first use of this version) into ${libsDir}`);
    const timeoutMs = opts.timeoutMs ?? 15 * 60_000;
    const progress = new MavenProgress(log, log === stderrLog && process.stderr.isTTY === true);

    // 1. the broker and its runtime dependencies
    await writeFile(join(tmp, 'pom.xml'), brokerPom(version));
    await runMaven(tmp, ['dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${tmpLibs}`], timeoutMs, progress, `Kafka ${version} jars`);

    // 2. an slf4j binding, so that the broker's logging reaches a file (Kafka's POMs leave the choice to the distribution)
    const jars1 = await listJars(tmpLibs);
    const kafkaJar = `kafka_2.13-${version}.jar`;
    if (!jars1.includes(kafkaJar)) throw new Error(`Maven finished but ${kafkaJar} is missing from ${tmpLibs}`);
    const { logging, binding } = loggingBinding(jars1);
    await mkdir(join(tmp, 'binding'), { recursive: true });
    await writeFile(join(tmp, 'binding', 'pom.xml'), bindingPom(binding));
    await runMaven(join(tmp, 'binding'), ['dependency:copy-dependencies', '-DexcludeTransitive=true', `-DoutputDirectory=${tmpLibs}`], timeoutMs, progress, `Kafka ${version} jars`);
    progress.finish();

    const jars = await listJars(tmpLibs);
    const manifest: KafkaJarsManifest = {
      version,
      mainClass: 'kafka.Kafka',
      storageToolClass: 'kafka.tools.StorageTool',
      logging,
      jars,
      fetchedAt: new Date().toISOString(),
      fetchMs: Date.now() - started,
    };
    await writeFile(join(tmpLibs, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');

    // 3. publish atomically
    if (existsSync(libsDir)) {
      const other = await readKafkaJarsManifest(version);
      if (other) {
        log(`Kafka ${version} jars were fetched by another process meanwhile; using those`);
        return { version, libsDir, manifest: other, downloaded: false, elapsedMs: Date.now() - started };
      }
      // an incomplete folder that predates the manifest scheme or was edited by hand: move it out of the way
      const stale = join(versionDir, `.stale-${process.pid}-${Date.now()}`);
      await rename(libsDir, stale);
      await rm(stale, { recursive: true, force: true });
    }
    try {
      await rename(tmpLibs, libsDir);
    } catch (err) {
      const other = await readKafkaJarsManifest(version);
      if (other) return { version, libsDir, manifest: other, downloaded: false, elapsedMs: Date.now() - started };
      throw err;
    }
    const bytes = await dirBytes(libsDir);
    log(`Kafka ${version} jars ready: ${jars.length} jars, ${(bytes / 1e6).toFixed(1)} MB, in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return { version, libsDir, manifest, downloaded: true, elapsedMs: Date.now() - started };
  } finally {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    // a version that failed to resolve leaves no empty folder behind
    if (!existsSync(libsDir)) await rmdir(versionDir).catch(() => undefined);
  }
}

function brokerPom(version: string): string {
  // kafka-tools-api only serves the console tools (kafka-console-consumer's formatters); the broker never loads it.
  // It is excluded because some releases reference it without publishing it (4.4.0 on Maven Central).
  return pom('kstream-kafka-broker', [
    dep('org.apache.kafka', 'kafka_2.13', version, [['org.apache.kafka', 'kafka-tools-api']]),
  ]);
}

interface Coord {
  groupId: string;
  artifactId: string;
  version: string;
}

function bindingPom(binding: Coord[]): string {
  return pom('kstream-kafka-logging', binding.map((c) => dep(c.groupId, c.artifactId, c.version, [])));
}

function pom(artifactId: string, deps: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.kstream.local</groupId>
  <artifactId>${artifactId}</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
${deps.join('\n')}
  </dependencies>
</project>
`;
}

function dep(groupId: string, artifactId: string, version: string, exclusions: [string, string][]): string {
  const ex = exclusions.length
    ? `\n      <exclusions>\n${exclusions
        .map(([g, a]) => `        <exclusion><groupId>${g}</groupId><artifactId>${a}</artifactId></exclusion>`)
        .join('\n')}\n      </exclusions>`
    : '';
  return `    <dependency>
      <groupId>${groupId}</groupId>
      <artifactId>${artifactId}</artifactId>
      <version>${version}</version>${ex}
    </dependency>`;
}

function jarVersion(jars: string[], artifact: string): string | undefined {
  const re = new RegExp(`^${artifact.replace(/[.]/g, '\\.')}-(\\d[^/]*)\\.jar$`);
  for (const j of jars) {
    const m = re.exec(j);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * Kafka 3.x brokers log through slf4j to log4j 1.x (shipped as reload4j); Kafka 4.x through slf4j to log4j2,
 * and its POM already brings log4j-api and log4j-core. Either way the slf4j binding itself is missing.
 */
function loggingBinding(jars: string[]): { logging: KafkaLogging; binding: Coord[] } {
  const slf4j = jarVersion(jars, 'slf4j-api');
  if (!slf4j) throw new Error('no slf4j-api among the resolved Kafka jars; cannot choose a logging binding');
  const slf4j2 = !slf4j.startsWith('1.');
  const log4j2 = jarVersion(jars, 'log4j-core');
  if (log4j2) {
    return {
      logging: 'log4j2',
      binding: [{ groupId: 'org.apache.logging.log4j', artifactId: slf4j2 ? 'log4j-slf4j2-impl' : 'log4j-slf4j-impl', version: log4j2 }],
    };
  }
  return {
    logging: 'log4j1',
    binding: [
      { groupId: 'org.slf4j', artifactId: 'slf4j-reload4j', version: slf4j },
      { groupId: 'ch.qos.reload4j', artifactId: 'reload4j', version: RELOAD4J_VERSION },
    ],
  };
}

async function listJars(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.jar')).sort();
}

