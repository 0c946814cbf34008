/**
 * `kstream explain <file.sql>`: the sink, schema, logical plan and Kafka Streams-style topology of
 * each persistent query of a SQL file (ksqlDB's EXPLAIN); `--combined` prints the one topology
 * `kstream run` executes. The SQL front end loads only when the command runs.
 */
import { Command } from 'commander';

export function registerExplainCommand(program: Command): void {
  program
    .command('explain')
    .description('show the plan and the Kafka Streams topology of each persistent query of a SQL file')
    .argument('<file>', 'SQL file')
    .option('--combined', 'print the single topology `kstream run` executes for the whole file')
    .action(async (file: string, options: { combined?: boolean }) => {
      const { runExplain } = await import('./sql-explain.js');
      runExplain(file, options);
    });
}
