/**
 * `kstream sql [http://host:8088]`: the ksqlDB CLI. An interactive prompt (statements over several
 * lines until `;`, history in ~/.kstream_sql_history, results as tables, push queries until
 * LIMIT or Ctrl-C), or `-e "<statements>"` / `-f file.sql` (stops at the first error, exit 1).
 * Without a server URL it starts a server in this process on the embedded log of --data-dir, so a
 * new user can type SQL at once. The SQL machinery loads only when the command runs.
 */
import { Command, Option } from 'commander';
import { UserError } from './errors.js';
import type { SqlReplOptions } from './sql-repl.js';


export function registerSqlCommand(program: Command): void {
  program
    .command('sql')
    .description('the ksqlDB CLI: type SQL against a kstream (or ksqlDB) server; without a URL, against an in-process server')
    .argument('[server]', 'server URL, e.g. http://127.0.0.1:8088 (default: a server in this process)')
    .option('-e, --execute <statements>', 'run these statements and exit')
    .option('-f, --file <file>', 'run the statements of this file and exit')
    .option('-u, --user <user:password>', 'basic auth credentials (or KSTREAM_SQL_USER)')
    .option('--ca <pem>', 'https: CA certificate to trust')
    .option('--service-id <id>', 'in-process server: its ksql.service.id')
    .addOption(new Option('--data-dir <dir>', 'in-process server: embedded log and state directory').default('./.kstream').env('KSTREAM_DATA_DIR'))
    .action(async (server: string | undefined, options: SqlReplOptions) => {
      const { runSqlCli } = await import('./sql-repl.js');
      if (options.execute !== undefined && options.file !== undefined) throw new UserError('give -e or -f, not both');
      process.exitCode = await runSqlCli(server, options);
    });
}
