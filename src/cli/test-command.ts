/**
 * `kstream test -s statements.sql [-i input.json] [-o expected.json]`: ksqlDB's ksql-test-runner,
 * in process (see sql-test.ts). The SQL front end loads only when the command runs.
 */
import { Command } from 'commander';
import type { TestOptions } from './sql-test.js';

export function registerTestCommand(program: Command): void {
  program
    .command('test')
    .description("run SQL statements on test input, as ksqlDB's ksql-test-runner: compare with expected output, or print it")
    .requiredOption('-s, --sql-file <file>', 'the statements (CREATE ..., INSERT ..., CREATE ... AS SELECT ...)')
    .option('-i, --input-file <file>', 'input records: {"inputs": [{"topic", "key", "value", "timestamp"}, ...]}')
    .option('-o, --output-file <file>', 'expected output records: {"outputs": [...]}; without it the outputs are printed')
    .action(async (options: TestOptions) => {
      const { runTest } = await import('./sql-test.js');
      await runTest(options);
    });
}
