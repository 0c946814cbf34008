/**
 * A real single-node Apache Kafka broker (KRaft, broker + controller in one JVM) for development and tests.
 *
 * The broker runs detached from the process that started it: `startLocalKafka` returns once the broker
 * answers, and `stopLocalKafka` (from any process) stops it by the pid file in its data dir.
 *
 * Data dir layout (default `<cache>/local-kafka/<port>`, `<cache>` = `$KSTREAM_CACHE_DIR` or `~/.cache/kstream`):
 *   server.properties, log4j.properties | log4j2.properties   written at every start
 *   kraft-logs/                                               topic partitions and the metadata log
 *   logs/server.log                                           the broker's log (rolled at 10 MB, 3 kept)
 *   logs/stdout.log                                           JVM output that does not go through log4j
 *   kafka.pid, kstream-local-kafka.json                      the running broker's pid and settings
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { absoluteDir, acquireLock, checkPort, pidAlive, portFree, readJsonFile, runningPidFrom, sleep, spawnDetached, stderrLog, tailFile, terminate, withTimeout } from './processes.js';
import { DEFAULT_KAFKA_VERSION, ensureKafkaJars, javaCommand, kstreamCacheDir, type KafkaJarsManifest } from './jars.js';

export const DEFAULT_LOCAL_KAFKA_PORT = 9092;
export const LOCAL_KAFKA_HOST = '127.0.0.1';

const PID_FILE = 'kafka.pid';
const STATE_FILE = 'kstream-local-kafka.json';
const PROBE_GROUP = 'kstream-local-kafka-probe';
const PROBE_TRANSACTIONAL_ID = 'kstream-local-kafka-probe';
/** Marker in the JVM's command line that tells our broker from any other java process. */
const MARKER_PROP = 'kstream.local.kafka.dir';

export interface LocalKafkaOptions {
  /** Apache Kafka version (default {@link DEFAULT_KAFKA_VERSION}). */
  version?: string;
  /** Client port on 127.0.0.1 (default 9092). */
  port?: number;
  /** KRaft controller port on 127.0.0.1 (default port + 1). */
  controllerPort?: number;
  /** Data dir (default `<cache>/local-kafka/<port>`). */
  dataDir?: string;
  /** Give up waiting for the broker after this long (default 120 s), stopping it and reporting its log. */
  timeoutMs?: number;
  /** JVM heap options (default `-Xms256m -Xmx512m`, or `$KSTREAM_KAFKA_HEAP_OPTS`). */
  heapOpts?: string;
  /** Extra or overriding broker settings written into server.properties. */
  config?: Record<string, string | number | boolean>;
  /**
   * SCRAM users to create when the storage is formatted (Kafka 3.5+), for SASL/SCRAM listeners set
   * up through `config`. Only applies on the first start of a data dir (or with `reset`).
   */
  scramCredentials?: readonly ScramCredential[];
  /** Wipe the data dir (all topics) before starting; stops a broker running on it first. */
  reset?: boolean;
  /** Progress lines (default: to stderr). */
  log?: (line: string) => void;
}

export interface ScramCredential {
  mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  username: string;
  password: string;
}

export interface LocalKafkaInfo {
  /** `127.0.0.1:<port>` */
  bootstrap: string;
  port: number;
  controllerPort: number;
  dataDir: string;
  logFile: string;
  /** Kafka version of the running broker, when it is ours. */
  version?: string;
  /** Undefined when something else (not started from this data dir) answers as Kafka on the port. */
  pid?: number;
  /** True when a broker was already answering on the port and nothing was started. */
  alreadyRunning: boolean;
  /** Time from spawning the JVM to the broker answering (admin, consumer groups, transactions); 0 if already running. */
  startupMs: number;
  /** Time spent fetching jars (0 when cached). */
  downloadMs: number;
}

export interface LocalKafkaStatus {
  running: boolean;
  /** The broker answered a Kafka request (only checked when running). */
  answering: boolean;
  pid?: number;
  version?: string;
  bootstrap: string;
  port: number;
  controllerPort?: number;
  dataDir: string;
  logFile: string;
  startedAt?: string;
}

export interface StopLocalKafkaOptions {
  port?: number;
  dataDir?: string;
  /** Wait this long after SIGTERM before SIGKILL (default 30 s). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface StopLocalKafkaResult {
  wasRunning: boolean;
  pid?: number;
  /** SIGKILL was needed. */
  killed: boolean;
  dataDir: string;
}

interface StateFile {
  version: string;
  port: number;
  controllerPort: number;
  clusterId: string;
  pid: number;
  startedAt: string;
}

export function defaultLocalKafkaDataDir(port: number = DEFAULT_LOCAL_KAFKA_PORT): string {
  return join(kstreamCacheDir(), 'local-kafka', String(port));
}

function resolveDataDir(dataDir: string | undefined, port: number): string {
  return absoluteDir(dataDir, () => defaultLocalKafkaDataDir(port));
}

function readState(dataDir: string): Promise<StateFile | undefined> {
  return readJsonFile<StateFile>(join(dataDir, STATE_FILE));
}

/** The pid of our broker running from `dataDir`, removing a stale pid file. */
function runningPid(dataDir: string): Promise<number | undefined> {
  return runningPidFrom(join(dataDir, PID_FILE), [`-D${MARKER_PROP}=${dataDir}`, 'kafka.Kafka']);
}

// ---------------------------------------------------------------------------------------------------------------
// readiness

function probeClient(bootstrap: string, requestTimeout: number): Kafka {
  return new Kafka({
    clientId: 'kstream-local-kafka-probe',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout,
    retry: { retries: 0 },
  });
}

/** One readiness check: metadata, the group coordinator and the transaction coordinator all answer. */
async function probeOnce(bootstrap: string, stage: { name: string }): Promise<void> {
  const kafka = probeClient(bootstrap, 10_000);
  stage.name = 'connect';
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    stage.name = 'list topics';
    await admin.listTopics();
    stage.name = 'group coordinator (__consumer_offsets)';
    await admin.describeGroups([PROBE_GROUP]);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  stage.name = 'transaction coordinator (__transaction_state)';
  // an idempotent producer insists on retries > 0
  const producer = kafka.producer({
    transactionalId: PROBE_TRANSACTIONAL_ID,
    idempotent: true,
    maxInFlightRequests: 1,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
  });
  try {
    await producer.connect();
    const txn = await producer.transaction(); // InitProducerId through the transaction coordinator
    await txn.abort();
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

/** Does something answer Kafka's protocol at `bootstrap` (quick, single try)? */
export async function kafkaAnswers(bootstrap: string, timeoutMs = 3000): Promise<boolean> {
  const admin = probeClient(bootstrap, timeoutMs).admin({ retry: { retries: 0 } });
  try {
    await withTimeout(
      (async () => {
        await admin.connect();
        await admin.listTopics();
      })(),
      timeoutMs,
    );
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export interface WaitForKafkaOptions {
  timeoutMs: number;
  /** Stop waiting early when this says the broker process is gone. */
  isAlive?: () => boolean;
}

/**
 * Wait until a broker really serves: topics can be listed, a consumer group's coordinator is found and a
 * transactional producer initialises (which needs __transaction_state). Throws with the last failure.
 */
export async function waitForKafka(bootstrap: string, opts: WaitForKafkaOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  const stage = { name: 'connect' };
  let last = 'no answer yet';
  for (;;) {
    if (opts.isAlive && !opts.isAlive()) throw new Error('the broker process exited');
    try {
      await withTimeout(probeOnce(bootstrap, stage), Math.max(1000, Math.min(20_000, deadline - Date.now())));
      return;
    } catch (err) {
      last = `${stage.name}: ${(err as Error).message}`;
    }
    if (Date.now() >= deadline) throw new Error(`no ready broker at ${bootstrap} after ${Math.round(opts.timeoutMs / 1000)}s (last check: ${last})`);
    await sleep(250);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// configuration files

/**
 * A KRaft cluster id: 16 random bytes, base64url without padding (Kafka's Uuid text form). Never one that starts
 * with '-', which the storage tool's argument parser would take for an option.
 */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** The storage tool's `--add-scram` arguments; names and passwords must not contain its separators. */
function scramFormatArgs(credentials: readonly ScramCredential[]): string[] {
  return credentials.flatMap(({ mechanism, username, password }) => {
    if (mechanism !== 'SCRAM-SHA-256' && mechanism !== 'SCRAM-SHA-512') throw new Error(`SCRAM mechanism must be SCRAM-SHA-256 or SCRAM-SHA-512, got '${String(mechanism)}'`);
    for (const [what, v] of [['user name', username], ['password', password]] as const) {
      if (v === '' || /[\s,=[\]"]/.test(v)) throw new Error(`SCRAM ${what} for ${mechanism} must be non-empty, without spaces or any of , = [ ] "`);
    }
    return ['--add-scram', `${mechanism}=[name=${username},password=${password}]`];
  });
}

function propValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function serverProperties(dataDir: string, port: number, controllerPort: number, extra: Record<string, string | number | boolean>): string {
  const props: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@${LOCAL_KAFKA_HOST}:${controllerPort}`,
    listeners: `PLAINTEXT://${LOCAL_KAFKA_HOST}:${port},CONTROLLER://${LOCAL_KAFKA_HOST}:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${LOCAL_KAFKA_HOST}:${port}`,
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': join(dataDir, 'kraft-logs'),
    'num.partitions': 1,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'offsets.topic.replication.factor': 1,
    // fewer than the default 50 partitions: the internal topics are created sooner and cost less on a dev machine
    'offsets.topic.num.partitions': 10,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 10,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    'auto.create.topics.enable': false,
    'delete.topic.enable': true,
    'num.network.threads': 2,
    'num.io.threads': 4,
    'num.recovery.threads.per.data.dir': 1,
    ...extra,
  };
  const lines = ['# written by kstream local kafka at every start; pass config overrides instead of editing'];
  for (const [k, v] of Object.entries(props)) lines.push(`${k}=${propValue(String(v))}`);
  return lines.join('\n') + '\n';
}

function log4jConfig(logging: KafkaJarsManifest['logging'], logFile: string): { file: string; text: string; jvmFlag: string } {
  const quiet = ['kafka.request.logger', 'state.change.logger', 'org.apache.zookeeper', 'kafka.authorizer.logger'];
  if (logging === 'log4j1') {
    const text = [
      'log4j.rootLogger=INFO, file',
      'log4j.appender.file=org.apache.log4j.RollingFileAppender',
      `log4j.appender.file.File=${propValue(logFile)}`,
      'log4j.appender.file.MaxFileSize=10MB',
      'log4j.appender.file.MaxBackupIndex=3',
      'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
      ...quiet.map((l) => `log4j.logger.${l}=WARN`),
    ].join('\n');
    return { file: 'log4j.properties', text: text + '\n', jvmFlag: 'log4j.configuration=file:' };
  }
  const text = [
    'status = warn',
    'name = kstream-local-kafka',
    'appender.file.type = RollingFile',
    'appender.file.name = file',
    `appender.file.fileName = ${propValue(logFile)}`,
    `appender.file.filePattern = ${propValue(logFile)}.%i`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'appender.file.policies.type = Policies',
    'appender.file.policies.size.type = SizeBasedTriggeringPolicy',
    'appender.file.policies.size.size = 10MB',
    'appender.file.strategy.type = DefaultRolloverStrategy',
    'appender.file.strategy.max = 3',
    'rootLogger.level = info',
    'rootLogger.appenderRef.file.ref = file',
    ...quiet.flatMap((l, i) => [`logger.q${i}.name = ${l}`, `logger.q${i}.level = warn`]),
  ].join('\n');
  return { file: 'log4j2.properties', text: text + '\n', jvmFlag: 'log4j2.configurationFile=' };
}

async function logTails(dataDir: string): Promise<string> {
  const server = await tailFile(join(dataDir, 'logs', 'server.log'), 40);
  const stdout = await tailFile(join(dataDir, 'logs', 'stdout.log'), 20);
  // the broker logs its whole configuration at startup, which can fill the tail: show errors separately
  const errors = (await tailFile(join(dataDir, 'logs', 'server.log'), 2000, 512 * 1024))
    .split('\n')
    .filter((l) => /^\[[^\]]*\] (ERROR|FATAL) /.test(l))
    .slice(-10)
    .join('\n');
  let out = '';
  if (errors) out += `\n--- last errors in ${join(dataDir, 'logs', 'server.log')} ---\n${errors}`;
  if (server) out += `\n--- last lines of ${join(dataDir, 'logs', 'server.log')} ---\n${server}`;
  if (stdout) out += `\n--- last lines of ${join(dataDir, 'logs', 'stdout.log')} ---\n${stdout}`;
  return out || `\n(no broker log in ${join(dataDir, 'logs')})`;
}

function runJava(args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(javaCommand(), args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(err.code === 'ENOENT' ? new Error(`java was not found (set JAVA_HOME or put java 17+ on PATH)`) : err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// start / stop / status

/**
 * Start a single-node KRaft broker on 127.0.0.1 and wait until it serves (including transactions).
 * When a broker already answers on the port, reports it and returns without starting anything.
 */
export async function startLocalKafka(opts: LocalKafkaOptions = {}): Promise<LocalKafkaInfo> {
  const dataDir = resolveDataDir(opts.dataDir, opts.port ?? DEFAULT_LOCAL_KAFKA_PORT);
  // one start at a time per data dir (two racing starts would both spawn a JVM and fight over the pid file)
  const release = await acquireLock(`${dataDir}.start-lock`, (opts.timeoutMs ?? 120_000) + 15 * 60_000, 'Kafka');
  try {
    return await startLocked({ ...opts, dataDir });
  } finally {
    await release();
  }
}

async function startLocked(opts: LocalKafkaOptions & { dataDir: string }): Promise<LocalKafkaInfo> {
  const log = opts.log ?? stderrLog;
  const port = opts.port ?? DEFAULT_LOCAL_KAFKA_PORT;
  checkPort('port', port);
  const controllerPort = opts.controllerPort ?? port + 1;
  checkPort('controllerPort', controllerPort);
  if (controllerPort === port) throw new Error('the controller port must differ from the client port');
  const version = opts.version ?? DEFAULT_KAFKA_VERSION;
  const dataDir = resolveDataDir(opts.dataDir, port);
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const bootstrap = `${LOCAL_KAFKA_HOST}:${port}`;
  const logsDir = join(dataDir, 'logs');
  const logFile = join(logsDir, 'server.log');

  if (opts.reset) {
    await stopLocalKafka({ dataDir, log });
    await rm(dataDir, { recursive: true, force: true });
  }
  await mkdir(logsDir, { recursive: true });

  // 1. ours, already running from this data dir?
  const existing = await runningPid(dataDir);
  if (existing !== undefined) {
    const state = await readState(dataDir);
    const runningPort = state?.port ?? port;
    const runningBootstrap = `${LOCAL_KAFKA_HOST}:${runningPort}`;
    log(`Kafka ${state?.version ?? '?'} is already running at ${runningBootstrap} (pid ${existing}, data in ${dataDir})`);
    if (state && state.version !== version && opts.version) log(`note: it runs Kafka ${state.version}, not the requested ${version}; stop it first to switch`);
    try {
      await waitForKafka(runningBootstrap, { timeoutMs, isAlive: () => pidAlive(existing) });
    } catch (err) {
      throw new Error(`Kafka from ${dataDir} (pid ${existing}) runs but does not serve: ${(err as Error).message}${await logTails(dataDir)}`);
    }
    return {
      bootstrap: runningBootstrap,
      port: runningPort,
      controllerPort: state?.controllerPort ?? controllerPort,
      dataDir,
      logFile,
      version: state?.version,
      pid: existing,
      alreadyRunning: true,
      startupMs: 0,
      downloadMs: 0,
    };
  }

  // 2. something else on the port?
  if (!(await portFree(port, LOCAL_KAFKA_HOST))) {
    if (await kafkaAnswers(bootstrap)) {
      log(`a Kafka broker not started from ${dataDir} already answers at ${bootstrap}; using it`);
      return { bootstrap, port, controllerPort, dataDir, logFile, alreadyRunning: true, startupMs: 0, downloadMs: 0 };
    }
    throw new Error(`port ${port} on ${LOCAL_KAFKA_HOST} is taken by something that does not answer as Kafka; choose another --port`);
  }
  if (!(await portFree(controllerPort, LOCAL_KAFKA_HOST))) {
    throw new Error(`the KRaft controller port ${controllerPort} on ${LOCAL_KAFKA_HOST} is taken; choose another port (or --controller-port)`);
  }

  // 3. jars
  const jars = await ensureKafkaJars({ version, log });
  const classpath = join(jars.libsDir, '*');

  // 4. config and storage
  const previous = await readState(dataDir);
  if (previous && previous.version !== version) {
    log(`note: ${dataDir} was last used by Kafka ${previous.version}; starting ${version} on it (use --reset to start empty)`);
  }
  await writeFile(join(dataDir, 'server.properties'), serverProperties(dataDir, port, controllerPort, opts.config ?? {}));
  const l4j = log4jConfig(jars.manifest.logging, logFile);
  await writeFile(join(dataDir, l4j.file), l4j.text);
  const logFlag = `-D${l4j.jvmFlag}${join(dataDir, l4j.file)}`;
  const commonJvm = [logFlag, `-Dkafka.logs.dir=${logsDir}`, '-Djava.awt.headless=true'];

  const scramArgs = scramFormatArgs(opts.scramCredentials ?? []);
  let clusterId = previous?.clusterId;
  const firstLogDir = String(opts.config?.['log.dirs'] ?? opts.config?.['log.dir'] ?? join(dataDir, 'kraft-logs')).split(',')[0].trim();
  if (!existsSync(join(firstLogDir, 'meta.properties'))) {
    clusterId = randomClusterId();
    const fmt = await runJava(
      ['-Xmx256m', ...commonJvm, '-cp', classpath, jars.manifest.storageToolClass, 'format', '--ignore-formatted', '-t', clusterId, '-c', join(dataDir, 'server.properties'), ...scramArgs],
      dataDir,
      60_000,
    );
    if (fmt.code !== 0) {
      throw new Error(`formatting KRaft storage in ${firstLogDir} failed (exit ${fmt.code}):\n${fmt.output.trim()}${await logTails(dataDir)}`);
    }
  }

  // 5. the broker, detached
  const heap = (opts.heapOpts ?? process.env.KSTREAM_KAFKA_HEAP_OPTS ?? '-Xms256m -Xmx512m').split(/\s+/).filter(Boolean);
  const jvm = [
    ...heap,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-XX:+ExitOnOutOfMemoryError',
    ...commonJvm,
    `-D${MARKER_PROP}=${dataDir}`,
    '-cp',
    classpath,
    jars.manifest.mainClass,
    join(dataDir, 'server.properties'),
  ];
  const spawnedAt = Date.now();
  const pid = await spawnDetached(javaCommand(), jvm, dataDir, join(logsDir, 'stdout.log'));
  await writeFile(join(dataDir, PID_FILE), `${pid}\n`);
  const state: StateFile = { version, port, controllerPort, clusterId: clusterId ?? '', pid, startedAt: new Date().toISOString() };
  await writeFile(join(dataDir, STATE_FILE), JSON.stringify(state, null, 2) + '\n');
  log(`starting Kafka ${version} (pid ${pid}) at ${bootstrap}, data in ${dataDir}, log ${logFile}`);

  // 6. wait until it serves
  try {
    await waitForKafka(bootstrap, { timeoutMs, isAlive: () => pidAlive(pid) });
  } catch (err) {
    const alive = pidAlive(pid);
    const tails = await logTails(dataDir); // before stopping, so the log shows why it did not serve
    if (alive) await stopLocalKafka({ dataDir, timeoutMs: 10_000, log: () => undefined });
    else await rm(join(dataDir, PID_FILE), { force: true });
    throw new Error(
      `Kafka ${version} did not start at ${bootstrap}: ${(err as Error).message}` +
        `${alive ? ' (the broker was stopped)' : ''}${tails}`,
    );
  }
  const startupMs = Date.now() - spawnedAt;
  log(`Kafka ${version} is ready at ${bootstrap} (pid ${pid}, ${(startupMs / 1000).toFixed(1)}s)`);
  return {
    bootstrap,
    port,
    controllerPort,
    dataDir,
    logFile,
    version,
    pid,
    alreadyRunning: false,
    startupMs,
    downloadMs: jars.downloaded ? jars.elapsedMs : 0,
  };
}

/** Stop the broker running from a data dir (default: the one for `port`): SIGTERM, then SIGKILL after the timeout. */
export async function stopLocalKafka(opts: StopLocalKafkaOptions = {}): Promise<StopLocalKafkaResult> {
  const log = opts.log ?? stderrLog;
  const dataDir = resolveDataDir(opts.dataDir, opts.port ?? DEFAULT_LOCAL_KAFKA_PORT);
  const pid = await runningPid(dataDir);
  if (pid === undefined) return { wasRunning: false, killed: false, dataDir };
  log(`stopping Kafka (pid ${pid}) from ${dataDir}`);
  const killed = await terminate(pid, 'Kafka', opts.timeoutMs ?? 30_000, log);
  await rm(join(dataDir, PID_FILE), { force: true });
  return { wasRunning: true, pid, killed, dataDir };
}

/** Whether our broker runs from the data dir (default: the one for `port`), and whether it answers. */
export async function statusLocalKafka(opts: { port?: number; dataDir?: string } = {}): Promise<LocalKafkaStatus> {
  const dataDir = resolveDataDir(opts.dataDir, opts.port ?? DEFAULT_LOCAL_KAFKA_PORT);
  const state = await readState(dataDir);
  const port = state?.port ?? opts.port ?? DEFAULT_LOCAL_KAFKA_PORT;
  const bootstrap = `${LOCAL_KAFKA_HOST}:${port}`;
  const pid = await runningPid(dataDir);
  const running = pid !== undefined;
  return {
    running,
    answering: running ? await kafkaAnswers(bootstrap) : false,
    pid,
    version: state?.version,
    bootstrap,
    port,
    controllerPort: state?.controllerPort,
    dataDir,
    logFile: join(dataDir, 'logs', 'server.log'),
    startedAt: running ? state?.startedAt : undefined,
  };
}
