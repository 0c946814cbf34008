import { fstatSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { KafkaStreams } from '../runtime/kafka-streams.js';
import type { StreamsConfigInput } from '../runtime/config.js';
import { consoleLogger } from '../common/logger.js';
import type { Topology } from '../topology/topology.js';
import { readConfigFile } from './config-file.js';
import { UserError } from './errors.js';
import { addLogOptions, logSettings, openCliLog, positiveInt, nonNegativeInt, type LogCliOptions } from './log-options.js';
import { runWorkers } from './workers.js';
import { isSupervisedRun, runSupervised, signalExitCode } from './supervise.js';
import { loadTopology } from './load-topology.js';
import { typecheckTopology } from './typecheck.js';
import { warnUnknownConfig } from './known-config.js';
import { StatusLine } from './status-line.js';
import { restoreProgress } from './progress-bar.js';
import type { Log } from '../log/types.js';
import { prepareServing, workerListener, type ServedSql } from '../server/serve.js';

interface RunOptions extends LogCliOptions {
  applicationId?: string;
  guarantee?: 'exactly_once_v2' | 'exactly_once' | 'at_least_once';
  untilIdle?: boolean;
  typecheck?: boolean;
  config?: string;
  stateDir?: string;
  status?: boolean;
  workers?: number;
  workerIndex?: number;
  maxRestarts: number;
  listeners?: string;
}

export type SqlLoader = (
  file: string,
  config: Record<string, unknown>,
) => Promise<{
  /** Null when the file declares and inserts but runs no query. */
  topology: Topology | null;
  config: Record<string, unknown>;
  /** Work on the log before the application starts (create topics, write INSERT ... VALUES records). */
  prepare?: (log: Log, config: Record<string, unknown>) => Promise<void>;
  /** The analyzed file, for queries over --listeners. */
  sql?: ServedSql;
}>;
let sqlLoader: SqlLoader | null = null;

/** The SQL front end plugs in here so that `run` stays independent of it. */
export function setSqlLoader(loader: SqlLoader): void {
  sqlLoader = loader;
}

export function registerRunCommand(program: Command): void {
  const cmd = program
    .command('run')
    .description('run a topology (a .ts/.js module whose default export builds one, or a .sql file)')
    .argument('<file>', 'topology module or SQL file')
    .option('--application-id <id>', 'application id (default: the module\'s config, else the file name)')
    .addOption(new Option('--guarantee <guarantee>', 'processing guarantee').choices(['exactly_once_v2', 'exactly_once', 'at_least_once']))
    .option('--until-idle', 'exit once every input is consumed, processed and committed')
    .option('--config <file>', 'settings file (.json or .properties) with Kafka Streams property names')
    .option('--state-dir <dir>', 'where state stores live (default: <data-dir>/state)')
    .option('--no-status', 'do not print the live status line')
    .option('--typecheck', 'type-check a TypeScript topology first (with its tsconfig.json); stop on errors')
    .option('--workers <n>', 'Kafka: run N worker processes (state in <state-dir>/worker-<i>)', positiveInt('--workers'))
    .option('--max-restarts <n>', 'with --workers: restarts of a worker killed by a signal', nonNegativeInt('--max-restarts'), 10)
    .option('--listeners <url>', 'serve queries over HTTP at http://host:port (with --workers, worker i listens on port + i)')
    .addOption(new Option('--worker-index <i>', 'set by --workers for each worker').argParser(Number).hideHelp());
  addLogOptions(cmd);
  cmd.action(async (file: string, options: RunOptions) => {
    if (options.typecheck) await typecheckTopology(file);
    if (options.workers !== undefined && options.workerIndex === undefined) {
      process.exitCode = await superviseWorkers(file, options);
      return;
    }
    // The application runs in a child process that this one supervises (see supervise.ts); a
    // worker of --workers or that child gets the control channel's fd from its supervisor.
    if (isSupervisedRun(process.argv.slice(2))) {
      process.exitCode = await runSupervised(process.argv.slice(2));
      return;
    }
    const controlFd = takeControlFd();
    const { loaded, config } = await load(file, options);
    // Workers of --workers share one configuration: the first one says what is wrong with it.
    if ((options.workerIndex ?? 0) === 0) warnUnknownConfig(config, consoleLogger());
    const log = await openCliLog(options, config);
    // Workers forked by --workers leave the SQL file's statements to their supervisor, which ran them once.
    if ('prepare' in loaded && loaded.prepare !== undefined && options.workerIndex === undefined) {
      try {
        await loaded.prepare(log, config);
      } catch (e) {
        await log.close();
        throw e;
      }
    }
    if (loaded.topology === null) {
      await log.close();
      process.stderr.write('kstream: no persistent queries to run; statements executed\n');
      return;
    }
    const listen = options.listeners === undefined ? null : workerListener(options.listeners, options.workerIndex);
    const serving = listen === null ? null : prepareServing(listen.url, loaded.topology, 'sql' in loaded ? loaded.sql : undefined);
    if (listen !== null) config['application.server'] = listen.applicationServer;
    const streams = new KafkaStreams(serving?.topology ?? loaded.topology, config, { log, logger: consoleLogger(), controlFd });
    const status = options.status !== false && process.stderr.isTTY ? new StatusLine(() => streams.status(), () => restoreProgress(streams.metrics())) : null;
    let signals = 0;
    let stoppedBy: NodeJS.Signals | null = null;
    const onSignal = (sig: NodeJS.Signals) => {
      signals++;
      stoppedBy ??= sig;
      if (signals > 1) {
        process.stderr.write(`\nkstream: second ${sig}, exiting without a final commit\n`);
        process.exit(130);
      }
      void streams.close();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let listener: Awaited<ReturnType<NonNullable<typeof serving>['start']>> | null = null;
    try {
      await streams.start({ untilIdle: options.untilIdle === true });
      if (serving !== null) {
        try {
          listener = await serving.start(streams, log, streams.config.applicationId, consoleLogger());
        } catch (e) {
          await streams.close();
          throw new UserError((e as Error).message);
        }
        process.stderr.write(`kstream: listening for queries on ${listen!.url} (console: ${listen!.url}/console, metrics: ${listen!.url}/metrics)\n`);
      }
      status?.start();
      await streams.closed();
    } finally {
      await listener?.close();
      status?.stop();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await log.close();
    }
    const s = streams.status();
    if (!options.untilIdle) return;
    if (s?.consumedAll === true) {
      process.stderr.write(`kstream: processed ${s.processed} records; all input consumed and committed\n`);
    } else {
      // Stopped by a signal before the input was consumed: say so, and exit non-zero.
      const by = stoppedBy ?? 'SIGTERM';
      process.stderr.write(`kstream: stopped by ${by} before all input was consumed; processed ${s?.processed ?? 0} records, all committed; run again to go on\n`);
      process.exitCode = signalExitCode(by);
    }
  });
}

/** The control channel's fd given by a supervising process (and not passed on to our own children). */
function takeControlFd(): number | undefined {
  const fd = Number(process.env.KSTREAM_CONTROL_FD);
  delete process.env.KSTREAM_CONTROL_FD;
  if (!Number.isInteger(fd) || fd <= 2) return undefined;
  try {
    return fstatSync(fd).isSocket() ? fd : undefined;
  } catch {
    return undefined;
  }
}

/** The topology or SQL file and the settings of the run: defaults < the file's < --config < flags. */
async function load(file: string, options: RunOptions) {
  const fileConfig = options.config !== undefined ? readConfigFile(options.config) : {};
  const cliConfig: Record<string, unknown> = { 'data.dir': options.dataDir };
  if (options.applicationId !== undefined) cliConfig['application.id'] = options.applicationId;
  if (options.guarantee !== undefined) cliConfig['processing.guarantee'] = options.guarantee;
  if (options.stateDir !== undefined) cliConfig['state.dir'] = options.stateDir;
  if (options.brokers !== undefined) cliConfig['bootstrap.servers'] = options.brokers;
  const requested = { ...fileConfig, ...cliConfig };
  const loaded = extname(file).toLowerCase() === '.sql' ? await loadSql(file, requested) : await loadTopology(file, requested);
  const config: StreamsConfigInput = {
    'application.id': basename(file, extname(file)).replace(/[^a-zA-Z0-9._-]/g, '-'),
    ...loaded.config,
    ...requested,
  };
  return { loaded, config };
}

/**
 * A SQL file's statements (topics to create, INSERT ... VALUES) run once, here, before the
 * workers start: each worker running them would write every inserted record N times.
 */
async function prepareSqlOnce(file: string, options: RunOptions): Promise<void> {
  const { loaded, config } = await load(file, options);
  if (!('prepare' in loaded) || loaded.prepare === undefined) return;
  const log = await openCliLog(options, config);
  try {
    await loaded.prepare(log, config);
  } finally {
    await log.close();
  }
}

/** `--workers N`: this process supervises N `kstream run` worker processes. */
async function superviseWorkers(file: string, options: RunOptions): Promise<number> {
  const settings = logSettings(options, options.config !== undefined ? readConfigFile(options.config) : {});
  if (typeof settings['bootstrap.servers'] !== 'string' || settings['bootstrap.servers'] === '') {
    throw new UserError('--workers needs Kafka: give --brokers host:port (or bootstrap.servers in --config)');
  }
  if (extname(file).toLowerCase() === '.sql') await prepareSqlOnce(file, options);
  const args: string[] = [resolve(file), '--data-dir', options.dataDir, '--no-status'];
  const add = (flag: string, value: string | undefined) => {
    if (value !== undefined && value !== '') args.push(flag, value);
  };
  add('--application-id', options.applicationId);
  add('--guarantee', options.guarantee);
  add('--config', options.config === undefined ? undefined : resolve(options.config));
  add('--brokers', options.brokers);
  add('--command-config', options.commandConfig === undefined ? undefined : resolve(options.commandConfig));
  add('--security-protocol', options.securityProtocol);
  add('--sasl-mechanism', options.saslMechanism);
  add('--sasl-username', options.saslUsername);
  add('--ssl-ca', options.sslCa);
  add('--ssl-cert', options.sslCert);
  add('--ssl-key', options.sslKey);
  add('--listeners', options.listeners);
  if (options.untilIdle) args.push('--until-idle');
  const env = { ...process.env };
  // The password goes through the environment, not the command line others can read.
  if (options.saslPassword !== undefined) env.KSTREAM_SASL_PASSWORD = options.saslPassword;
  return runWorkers({
    node: process.execPath,
    script: process.argv[1]!,
    args,
    workers: options.workers!,
    stateDir: resolve(options.stateDir ?? `${options.dataDir}/state`),
    maxRestarts: options.maxRestarts,
    env,
  });
}

async function loadSql(file: string, config: Record<string, unknown>) {
  if (sqlLoader === null) throw new UserError('SQL files are not supported by this build');
  return sqlLoader(file, config);
}
