import { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { addLogOptions, nonNegativeInt, openCliLog, positiveInt, type LogCliOptions } from './log-options.js';
import { UserError } from './errors.js';
import { formatterFor } from './formats.js';
import { outputClosed, writeOut } from './output.js';

interface ConsumeOptions extends LogCliOptions {
  fromBeginning?: boolean;
  printKey?: boolean;
  printTimestamp?: boolean;
  printPartition?: boolean;
  maxMessages?: number;
  timeoutMs?: number;
  valueFormat: string;
  keyFormat: string;
  partition?: number;
}

export function registerConsumeCommand(program: Command): void {
  const cmd = program
    .command('consume')
    .description('print the records of a topic (key<TAB>value with --print-key)')
    .argument('<topic>', 'topic to read')
    .option('--from-beginning', 'start at the oldest record (default: only new records)')
    .option('--print-key', 'print the key before the value, separated by a tab')
    .option('--print-timestamp', 'print the record timestamp first')
    .option('--print-partition', 'print the partition first')
    .option('--max-messages <n>', 'exit after this many records', positiveInt('--max-messages'))
    .option('--timeout-ms <n>', 'exit when no record arrives for this long', nonNegativeInt('--timeout-ms'))
    .option('--partition <n>', 'read only this partition', (v) => Number(v))
    .option('--value-format <format>', 'how to print values: string, json, long, integer, double, bytes, hex, ...', 'string')
    .option('--key-format <format>', 'how to print keys', 'string');
  addLogOptions(cmd);
  cmd.action(async (topic: string, options: ConsumeOptions) => {
    const fmtKey = formatterFor(options.keyFormat);
    const fmtValue = formatterFor(options.valueFormat);
    const log = await openCliLog(options);
    let stop = false;
    const onSignal = () => {
      stop = true;
    };
    process.on('SIGINT', onSignal);
    try {
      const admin = log.admin();
      const described = (await admin.describeTopics([topic])).get(topic);
      if (described === undefined) throw new UserError(`topic '${topic}' does not exist`);
      const all = Array.from({ length: described.partitions }, (_, p) => p);
      const partitions = options.partition === undefined ? all : all.filter((p) => p === options.partition);
      if (partitions.length === 0) throw new UserError(`topic '${topic}' has no partition ${options.partition}`);
      const start = options.fromBeginning ? await admin.beginningOffsets(topic) : await admin.endOffsets(topic);
      const positions = partitions.map((p) => start[p]!);
      const reader = log.reader({ readCommitted: true });
      let printed = 0;
      let lastRecordAt = Date.now();
      const out: string[] = [];
      while (!stop) {
        let got = 0;
        for (let i = 0; i < partitions.length && !stop; i++) {
          const records = await reader.read(topic, partitions[i]!, positions[i]!, 1000);
          for (const r of records) {
            let line = '';
            if (options.printTimestamp) line += `${r.timestamp}\t`;
            if (options.printPartition) line += `${r.partition}\t`;
            if (options.printKey) line += `${fmtKey(r.key)}\t`;
            line += fmtValue(r.value);
            out.push(line);
            printed++;
            got++;
            positions[i] = r.offset + 1;
            if (options.maxMessages !== undefined && printed >= options.maxMessages) {
              stop = true;
              break;
            }
          }
        }
        if (out.length > 0) {
          const full = writeOut(out.join('\n') + '\n');
          out.length = 0;
          if (full !== undefined) await full;
          // The reader went away (`| head`): nothing more can be shown.
          if (outputClosed()) break;
        }
        if (got > 0) {
          lastRecordAt = Date.now();
          continue;
        }
        if (options.timeoutMs !== undefined && Date.now() - lastRecordAt >= options.timeoutMs) break;
        await sleep(20);
      }
      await reader.close();
      process.stderr.write(`kstream: processed a total of ${printed} message${printed === 1 ? '' : 's'}\n`);
    } finally {
      process.off('SIGINT', onSignal);
      await log.close();
    }
  });
}
