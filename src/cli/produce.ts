import { isUtf8 } from 'node:buffer';
import { Command } from 'commander';
import { partitionForKey } from '../log/murmur2.js';
import type { ProducedRecord } from '../log/types.js';
import { addLogOptions, openCliLog, positiveInt, type LogCliOptions } from './log-options.js';
import { UserError } from './errors.js';
import { BadLineError, LineSplitter } from './line-splitter.js';

interface ProduceOptions extends LogCliOptions {
  keySeparator?: string;
  partitions: number;
  partition?: number;
  timestamp?: string;
}

const BATCH = 5_000;

export function registerProduceCommand(program: Command): void {
  const cmd = program
    .command('produce')
    .description('write lines from standard input to a topic, one record per line')
    .argument('<topic>', 'topic to write to (created if missing)')
    .option('--key-separator <sep>', 'split each line into key and value at the first SEP')
    .option('--partitions <n>', 'partitions when the topic has to be created', positiveInt('--partitions'), 1)
    .option('--partition <n>', 'write every record to this partition', (v) => Number(v))
    .option('--timestamp <ms>', 'record timestamp (default: now)');
  addLogOptions(cmd);
  cmd.action(async (topic: string, options: ProduceOptions) => {
    const log = await openCliLog(options);
    try {
      const admin = log.admin();
      let described = (await admin.describeTopics([topic])).get(topic);
      if (described === undefined) {
        await admin.createTopics([{ name: topic, partitions: options.partitions }]);
        described = (await admin.describeTopics([topic])).get(topic)!;
      }
      const partitions = described.partitions;
      if (options.partition !== undefined && !(Number.isInteger(options.partition) && options.partition >= 0 && options.partition < partitions)) {
        throw new UserError(`--partition must be between 0 and ${partitions - 1}`);
      }
      const fixedTs = options.timestamp === undefined ? undefined : Number(options.timestamp);
      if (fixedTs !== undefined && !(Number.isFinite(fixedTs) && fixedTs >= 0)) throw new UserError('--timestamp must be a number of milliseconds >= 0');
      const separator = options.keySeparator === undefined ? undefined : Buffer.from(options.keySeparator, 'utf8');
      let roundRobin = 0;
      let batch: ProducedRecord[] = [];
      let count = 0;
      const lines = new LineSplitter((line, lineNumber) => {
        // Records carry text: a line that is not UTF-8 would have to be altered; refuse it instead.
        if (!isUtf8(line)) throw new BadLineError(lineNumber, 'is not valid UTF-8');
        let key: Buffer | null = null;
        let value = line;
        if (separator !== undefined) {
          const at = line.indexOf(separator);
          if (at >= 0) {
            key = line.subarray(0, at);
            value = line.subarray(at + separator.length);
          }
        }
        const partition = options.partition ?? (key === null ? roundRobin++ % partitions : partitionForKey(key, partitions));
        batch.push({ topic, partition, key, value, timestamp: fixedTs ?? Date.now() });
      });
      const flush = async () => {
        if (batch.length === 0) return;
        await log.append(batch);
        count += batch.length;
        batch = [];
      };
      try {
        for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
          lines.push(chunk);
          if (batch.length >= BATCH) await flush();
        }
        lines.end();
      } catch (e) {
        if (!(e instanceof BadLineError)) throw e;
        // The lines before the bad one are good records: write them, and say where it stopped.
        await flush();
        throw new UserError(`standard input line ${e.lineNumber} ${e.problem}; wrote the ${count} record${count === 1 ? '' : 's'} before it to ${topic}, nothing from that line on`);
      }
      await flush();
      process.stderr.write(`kstream: wrote ${count} record${count === 1 ? '' : 's'} to ${topic}\n`);
    } finally {
      await log.close();
    }
  });
}
