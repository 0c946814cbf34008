/**
 * `kstream local kafka start|stop|status`: a real single-node Kafka broker on 127.0.0.1 for development.
 *
 * Note for the root program: if it declares `.version()`, commander treats `--version` anywhere on the line as
 * the root's option unless the root calls `.enablePositionalOptions()`. `--kafka-version` works either way.
 */
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_LOCAL_KAFKA_PORT, defaultLocalKafkaDataDir, startLocalKafka, statusLocalKafka, stopLocalKafka } from './broker.js';
import { DEFAULT_KAFKA_VERSION, kstreamCacheDir } from './jars.js';

export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw new InvalidArgumentError('not a TCP port (1-65535)');
  return n;
}

export function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('not a positive number of seconds');
  return n;
}

function collectSetting(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('expected key=value, e.g. num.partitions=3');
  return { ...previous, [value.slice(0, eq).trim()]: value.slice(eq + 1).trim() };
}

export async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    process.stderr.write(`kstream: error: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}

interface StartOpts {
  version?: string;
  kafkaVersion?: string;
  port: number;
  controllerPort?: number;
  dataDir?: string;
  timeout: number;
  reset?: boolean;
  config?: Record<string, string>;
}

interface WhereOpts {
  port: number;
  dataDir?: string;
}

/** The `local` command of `program`, created on first use. */
export function localCommand(program: Command): Command {
  return program.commands.find((c) => c.name() === 'local') ?? program.command('local').description('development services on this machine');
}

/** Adds `local kafka start|stop|status` to `program` (reusing an existing `local` command if there is one). */
export function registerLocalKafkaCommands(program: Command): Command {
  const kafka = localCommand(program)
    .command('kafka')
    .description('a real single-node Apache Kafka broker (KRaft) on 127.0.0.1, for development and tests')
    .addHelpText(
      'after',
      `
The broker's jars come from Maven Central (fetched once per version with Maven into
${kstreamCacheDir()}/kafka/<version>/libs; set KSTREAM_CACHE_DIR to move the cache). It needs java 17+,
and mvn for the first start of a version. It listens on 127.0.0.1 only and runs detached until stopped.

Examples:
  $ kstream local kafka start                 # Kafka ${DEFAULT_KAFKA_VERSION} on 127.0.0.1:${DEFAULT_LOCAL_KAFKA_PORT}
  $ kstream local kafka start --kafka-version 4.4.0 --port 19092 -c num.partitions=3
  $ kstream local kafka status
  $ kstream local kafka stop`,
    );

  kafka
    .command('start')
    .description('start the broker (or report the one already running) and print its bootstrap address')
    .option('--version <version>', `Apache Kafka version (default ${DEFAULT_KAFKA_VERSION})`)
    .option('--kafka-version <version>', 'same as --version')
    .option('-p, --port <port>', 'client port on 127.0.0.1', parsePort, DEFAULT_LOCAL_KAFKA_PORT)
    .option('--controller-port <port>', 'KRaft controller port on 127.0.0.1 (default: port + 1)', parsePort)
    .option('-d, --data-dir <dir>', `data dir (default ${defaultLocalKafkaDataDir(DEFAULT_LOCAL_KAFKA_PORT).replace(/\d+$/, '<port>')})`)
    .option('--timeout <seconds>', 'give up (and stop the broker) if it does not serve within this time', parseSeconds, 120)
    .option('--reset', 'delete all data (topics, offsets) of this data dir before starting')
    .option('-c, --config <key=value>', 'broker setting for server.properties (repeatable)', collectSetting)
    .addHelpText(
      'after',
      `
Prints the bootstrap address (e.g. 127.0.0.1:${DEFAULT_LOCAL_KAFKA_PORT}) on stdout once the broker serves topics,
consumer groups and transactions; progress goes to stderr. If a broker already answers on the port, says so
and succeeds without starting another. The broker's log is <data-dir>/logs/server.log.`,
    )
    .action((opts: StartOpts) =>
      run(async () => {
        const info = await startLocalKafka({
          version: opts.kafkaVersion ?? opts.version,
          port: opts.port,
          controllerPort: opts.controllerPort,
          dataDir: opts.dataDir,
          timeoutMs: opts.timeout * 1000,
          reset: opts.reset,
          config: opts.config,
        });
        process.stdout.write(`${info.bootstrap}\n`);
      }),
    );

  kafka
    .command('stop')
    .description('stop the broker started from the data dir (SIGTERM, then SIGKILL after the timeout)')
    .option('-p, --port <port>', 'client port the broker was started with', parsePort, DEFAULT_LOCAL_KAFKA_PORT)
    .option('-d, --data-dir <dir>', 'data dir the broker was started with (default: the one for --port)')
    .option('--timeout <seconds>', 'wait this long for a clean shutdown before SIGKILL', parseSeconds, 30)
    .action((opts: WhereOpts & { timeout: number }) =>
      run(async () => {
        const r = await stopLocalKafka({ port: opts.port, dataDir: opts.dataDir, timeoutMs: opts.timeout * 1000, log: () => undefined });
        if (r.wasRunning) process.stderr.write(`kstream: stopped Kafka (pid ${r.pid}${r.killed ? ', killed' : ''}) from ${r.dataDir}\n`);
        else process.stderr.write(`kstream: no Kafka was running from ${r.dataDir}\n`);
      }),
    );

  kafka
    .command('status')
    .description('tell whether the broker runs and answers (exit code 0 if it does, 3 if not)')
    .option('-p, --port <port>', 'client port the broker was started with', parsePort, DEFAULT_LOCAL_KAFKA_PORT)
    .option('-d, --data-dir <dir>', 'data dir the broker was started with (default: the one for --port)')
    .option('--json', 'print the status as JSON')
    .action((opts: WhereOpts & { json?: boolean }) =>
      run(async () => {
        const s = await statusLocalKafka({ port: opts.port, dataDir: opts.dataDir });
        if (opts.json) {
          process.stdout.write(JSON.stringify(s, null, 2) + '\n');
        } else if (s.running) {
          process.stdout.write(
            `running: Kafka ${s.version ?? '?'} at ${s.bootstrap} (pid ${s.pid}, ${s.answering ? 'answering' : 'NOT answering'})\n` +
              `data dir: ${s.dataDir}\nlog: ${s.logFile}\n`,
          );
        } else {
          process.stdout.write(`not running (data dir ${s.dataDir})\n`);
        }
        if (!s.running || !s.answering) process.exitCode = 3;
      }),
    );

  return kafka;
}
