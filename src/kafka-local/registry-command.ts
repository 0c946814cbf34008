/** `kstream local schema-registry start|stop|status`: Apicurio Registry on 127.0.0.1 for development. */
import type { Command } from 'commander';
import { localCommand, parsePort, parseSeconds, run } from './command.js';
import { DEFAULT_APICURIO_VERSION } from './registry-app.js';
import { DEFAULT_LOCAL_REGISTRY_PORT, defaultLocalRegistryDataDir, startLocalSchemaRegistry, statusLocalSchemaRegistry, stopLocalSchemaRegistry } from './schema-registry.js';
import { kstreamCacheDir } from './maven.js';

interface WhereOpts {
  port: number;
  dataDir?: string;
}

export function registerLocalSchemaRegistryCommands(program: Command): Command {
  const registry = localCommand(program)
    .command('schema-registry')
    .description('a Confluent-compatible schema registry (Apicurio Registry, in-memory) on 127.0.0.1, for development and tests')
    .addHelpText(
      'after',
      `
Apicurio Registry ${DEFAULT_APICURIO_VERSION} comes from Maven Central (fetched once with Maven into
${kstreamCacheDir()}/schema-registry). It needs java 17+. Its Confluent-compatible API, the URL to give as
schema.registry.url, is http://127.0.0.1:<port>/apis/ccompat/v7. Schemas are kept in memory: a restart starts empty.

Examples:
  $ kstream local schema-registry start       # prints http://127.0.0.1:${DEFAULT_LOCAL_REGISTRY_PORT}/apis/ccompat/v7
  $ kstream local schema-registry status
  $ kstream local schema-registry stop`,
    );

  const portOption = (cmd: Command): Command =>
    cmd
      .option('-p, --port <port>', 'HTTP port on 127.0.0.1', parsePort, DEFAULT_LOCAL_REGISTRY_PORT)
      .option('-d, --data-dir <dir>', `pid file and log (default ${defaultLocalRegistryDataDir(DEFAULT_LOCAL_REGISTRY_PORT).replace(/\d+$/, '<port>')})`);

  portOption(registry.command('start').description('start the registry (or report the one already running) and print its URL'))
    .option('--timeout <seconds>', 'give up (and stop the registry) if it does not answer within this time', parseSeconds, 120)
    .action((opts: WhereOpts & { timeout: number }) =>
      run(async () => {
        const info = await startLocalSchemaRegistry({ port: opts.port, dataDir: opts.dataDir, timeoutMs: opts.timeout * 1000 });
        process.stdout.write(`${info.url}\n`);
      }),
    );

  portOption(registry.command('stop').description('stop the registry started from the data dir'))
    .option('--timeout <seconds>', 'wait this long for a clean shutdown before SIGKILL', parseSeconds, 30)
    .action((opts: WhereOpts & { timeout: number }) =>
      run(async () => {
        const r = await stopLocalSchemaRegistry({ port: opts.port, dataDir: opts.dataDir, timeoutMs: opts.timeout * 1000, log: () => undefined });
        process.stderr.write(
          r.wasRunning ? `kstream: stopped the schema registry (pid ${r.pid}${r.killed ? ', killed' : ''}) from ${r.dataDir}\n` : `kstream: no schema registry was running from ${r.dataDir}\n`,
        );
      }),
    );

  portOption(registry.command('status').description('tell whether the registry runs and answers (exit code 0 if it does, 3 if not)'))
    .option('--json', 'print the status as JSON')
    .action((opts: WhereOpts & { json?: boolean }) =>
      run(async () => {
        const s = await statusLocalSchemaRegistry({ port: opts.port, dataDir: opts.dataDir });
        if (opts.json) process.stdout.write(JSON.stringify(s, null, 2) + '\n');
        else if (s.running) process.stdout.write(`running: Apicurio Registry ${s.version ?? '?'} at ${s.url} (pid ${s.pid}, ${s.answering ? 'answering' : 'NOT answering'})\nlog: ${s.logFile}\n`);
        else process.stdout.write(`not running (data dir ${s.dataDir})\n`);
        if (!s.running || !s.answering) process.exitCode = 3;
      }),
    );
  return registry;
}
