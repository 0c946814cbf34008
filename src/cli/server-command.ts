/**
 * `kstream server`: a ksqlDB-compatible server (see src/server/ksql-server.ts). The SQL front end
 * loads only when the command runs.
 */
import { Command, Option } from 'commander';
import { consoleLogger } from '../common/logger.js';
import { addLogOptions } from './log-options.js';
import type { ServerCliOptions } from './server-start.js';

const DEFAULT_SERVICE_ID = 'default_';

export function registerServerCommand(program: Command): void {
  const cmd = program
    .command('server')
    .description('a ksqlDB-compatible server: statements over POST /ksql, persistent queries, push and pull queries')
    .option('--listeners <url>', 'http://host:port or https://host:port (default http://127.0.0.1:8088)')
    .option('--service-id <id>', `ksql.service.id: servers of one id run the same queries (default ${DEFAULT_SERVICE_ID})`)
    .option('--config <file>', 'ksqlDB-style server properties (.properties or .json)')
    .option('--state-dir <dir>', 'where state stores live (default: <data-dir>/state)')
    .addOption(new Option('--guarantee <guarantee>', 'processing guarantee of persistent queries').choices(['exactly_once', 'at_least_once']))
    .option('--auth-file <file>', 'HTTP basic auth: credentials file, lines of user: password[,role...]')
    .option('--tls-cert <pem>', 'https listener: certificate chain, PEM (ssl.keystore.cert in --config)')
    .option('--tls-key <pem>', 'https listener: private key, PEM (ssl.keystore.key in --config)');
  addLogOptions(cmd);
  cmd.action(async (options: ServerCliOptions) => {
    const logger = consoleLogger();
    const { server, log } = await (await import('./server-start.js')).startServer(options, logger);
    process.stderr.write(`kstream: ksqlDB server listening on ${server.url} (ksql.service.id ${options.serviceId ?? DEFAULT_SERVICE_ID}, ${log.location})\n`);
    await new Promise<void>((resolve) => {
      let signals = 0;
      const stop = () => {
        if (++signals > 1) process.exit(130);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
    await log.close();
  });
}
