import { Command, Option } from 'commander';
import type { Log } from '../log/types.js';
import { openLog } from '../log/open-log.js';
import { UserError } from './errors.js';

export interface LogCliOptions {
  dataDir: string;
  brokers?: string;
}

/** --data-dir and --brokers: which log a command talks to. */
export function addLogOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--data-dir <dir>', 'embedded log and state directory').default('./.kstream').env('KSTREAM_DATA_DIR'))
    .addOption(new Option('--brokers <host:port,...>', 'use Apache Kafka at these bootstrap servers instead of the embedded log').env('KSTREAM_BROKERS'));
}

export async function openCliLog(options: LogCliOptions, kafka?: Record<string, unknown>): Promise<Log> {
  try {
    return await openLog({ dataDir: options.dataDir, brokers: options.brokers, kafka });
  } catch (e) {
    throw new UserError((e as Error).message);
  }
}

export function positiveInt(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new UserError(`${name} must be a positive whole number, got '${value}'`);
    return n;
  };
}

export function nonNegativeInt(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new UserError(`${name} must be a whole number >= 0, got '${value}'`);
    return n;
  };
}
