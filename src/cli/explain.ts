/**
 * `kstream explain <file.sql>`: the sink, schema, logical plan and Kafka Streams-style topology of
 * each persistent query of a SQL file (ksqlDB's EXPLAIN); `--combined` prints the one topology
 * `kstream run` executes. The SQL front end loads only when the command runs.
 */
import { Command } from 'commander';
import { UserError } from './errors.js';

export function registerExplainCommand(program: Command): void {
  program
    .command('explain')
    .description('show the plan and the Kafka Streams topology of each persistent query of a SQL file, or draw the topology of a SQL or TypeScript file')
    .argument('<file>', 'SQL file (or, with --format svg|dot|mermaid, a TypeScript/JavaScript topology module)')
    .option('--combined', 'print the single topology `kstream run` executes for the whole file')
    .option('--format <format>', 'text (default), or a picture of the topology `kstream run` executes: svg, dot or mermaid', 'text')
    .option('--output <file>', 'write the picture to this file (default: standard output)')
    .action(async (file: string, options: { combined?: boolean; format: string; output?: string }) => {
      const { pictureFormat, writePicture } = await import('./explain-picture.js');
      const format = pictureFormat(options.format);
      if (format !== 'text') return writePicture(file, format, options.output);
      if (options.output !== undefined) throw new UserError('--output needs --format svg, dot or mermaid');
      const { runExplain } = await import('./sql-explain.js');
      runExplain(file, options);
    });
}
