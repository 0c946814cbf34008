import { Command, CommanderError } from 'commander';
import { reportError } from './errors.js';
import { finishOutput, watchOutput } from './output.js';
import { registerRunCommand } from './run.js';
import { registerProduceCommand } from './produce.js';
import { registerConsumeCommand } from './consume.js';
import { registerTopicsCommand } from './topics.js';
import { registerLocalKafkaCommands } from '../kafka-local/command.js';
import { registerLocalSchemaRegistryCommands } from '../kafka-local/registry-command.js';
import { registerTestCommand } from './test-command.js';
import { registerExplainCommand } from './explain.js';
import { registerServerCommand } from './server-command.js';
import { registerSqlCommand } from './sql-command.js';
import { setSqlLoader } from './run.js';
import { SqlError } from '../sql/errors.js';

export function buildProgram(): Command {
  const program = new Command()
    .name('kstream')
    .description('A stream processor for TypeScript in the style of Kafka Streams and ksqlDB')
    .version('0.1.0')
    .showHelpAfterError('(add --help for usage)')
    .enablePositionalOptions()
    .exitOverride();
  // The SQL front end (parser, planner) loads only for .sql files.
  setSqlLoader(async (file, config) => (await import('./sql-loader.js')).loadSql(file, config));
  registerRunCommand(program);
  registerTestCommand(program);
  registerExplainCommand(program);
  registerServerCommand(program);
  registerSqlCommand(program);
  registerProduceCommand(program);
  registerConsumeCommand(program);
  registerTopicsCommand(program);
  registerLocalKafkaCommands(program);
  registerLocalSchemaRegistryCommands(program);
  return program;
}

/** Runs the CLI; resolves with the exit code once all output is written (the caller may then exit). */
export async function main(argv: string[]): Promise<number> {
  watchOutput();
  return finishOutput(await runCommand(argv));
}

async function runCommand(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    // A rejected SQL statement: `file:line:col: message`, the line and a caret; no stack.
    if (e instanceof SqlError) {
      process.stderr.write(`${e.format()}\n`);
      return 1;
    }
    return reportError(e);
  }
}
