import { basename, extname } from 'node:path';
import { Command, Option } from 'commander';
import { KafkaStreams } from '../runtime/kafka-streams.js';
import type { StreamsConfigInput } from '../runtime/config.js';
import { consoleLogger } from '../runtime/logger.js';
import type { Topology } from '../topology/topology.js';
import { readConfigFile } from './config-file.js';
import { UserError } from './errors.js';
import { addLogOptions, openCliLog, type LogCliOptions } from './log-options.js';
import { loadTopology } from './load-topology.js';
import { StatusLine } from './status-line.js';

interface RunOptions extends LogCliOptions {
  applicationId?: string;
  guarantee?: 'exactly_once' | 'at_least_once';
  untilIdle?: boolean;
  config?: string;
  stateDir?: string;
  status?: boolean;
}

export type SqlLoader = (file: string, config: Record<string, unknown>) => Promise<{ topology: Topology; config: Record<string, unknown> }>;
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
    .addOption(new Option('--guarantee <guarantee>', 'processing guarantee').choices(['exactly_once', 'at_least_once']))
    .option('--until-idle', 'exit once every input is consumed, processed and committed')
    .option('--config <file>', 'settings file (.json or .properties) with Kafka Streams property names')
    .option('--state-dir <dir>', 'where state stores live (default: <data-dir>/state)')
    .option('--no-status', 'do not print the live status line');
  addLogOptions(cmd);
  cmd.action(async (file: string, options: RunOptions) => {
    const fileConfig = options.config !== undefined ? readConfigFile(options.config) : {};
    const cliConfig: Record<string, unknown> = { 'data.dir': options.dataDir };
    if (options.applicationId !== undefined) cliConfig['application.id'] = options.applicationId;
    if (options.guarantee !== undefined) cliConfig['processing.guarantee'] = options.guarantee;
    if (options.stateDir !== undefined) cliConfig['state.dir'] = options.stateDir;
    if (options.brokers !== undefined) cliConfig['bootstrap.servers'] = options.brokers;
    const requested = { ...fileConfig, ...cliConfig };
    const loaded =
      extname(file).toLowerCase() === '.sql'
        ? await loadSql(file, requested)
        : await loadTopology(file, requested);
    const config: StreamsConfigInput = {
      'application.id': basename(file, extname(file)).replace(/[^a-zA-Z0-9._-]/g, '-'),
      ...loaded.config,
      ...requested,
    };
    const log = await openCliLog(options);
    const streams = new KafkaStreams(loaded.topology, config, { log, logger: consoleLogger() });
    const status = options.status !== false && process.stderr.isTTY ? new StatusLine(() => streams.status()) : null;
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        process.stderr.write(`\nkstream: second ${sig}, exiting without a final commit\n`);
        process.exit(130);
      }
      void streams.close();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      await streams.start({ untilIdle: options.untilIdle === true });
      status?.start();
      await streams.closed();
    } finally {
      status?.stop();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await log.close();
    }
    const s = streams.status();
    if (options.untilIdle) process.stderr.write(`kstream: processed ${s?.processed ?? 0} records; all input consumed and committed\n`);
  });
}

async function loadSql(file: string, config: Record<string, unknown>) {
  if (sqlLoader === null) throw new UserError('SQL files are not supported by this build');
  return sqlLoader(file, config);
}
