import { Command } from 'commander';
import { addLogOptions, openCliLog, positiveInt, type LogCliOptions } from './log-options.js';
import { UserError } from './errors.js';

interface CreateOptions extends LogCliOptions {
  partitions: number;
  config: string[];
  ifNotExists?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerTopicsCommand(program: Command): void {
  const topics = program.command('topics').description('list, create, describe and delete topics');

  addLogOptions(topics.command('list').description('list topics')).action(async (options: LogCliOptions) => {
    const log = await openCliLog(options);
    try {
      const names = await log.admin().listTopics();
      if (names.length > 0) process.stdout.write(names.join('\n') + '\n');
    } finally {
      await log.close();
    }
  });

  addLogOptions(
    topics
      .command('create')
      .description('create a topic')
      .argument('<topic>')
      .option('--partitions <n>', 'number of partitions', positiveInt('--partitions'), 1)
      .option('--config <key=value>', 'topic setting (repeatable)', collect, [])
      .option('--if-not-exists', 'succeed when the topic already exists'),
  ).action(async (topic: string, options: CreateOptions) => {
    const config: Record<string, string> = {};
    for (const kv of options.config) {
      const at = kv.indexOf('=');
      if (at <= 0) throw new UserError(`--config expects key=value, got '${kv}'`);
      config[kv.slice(0, at)] = kv.slice(at + 1);
    }
    const log = await openCliLog(options);
    try {
      const admin = log.admin();
      const existing = (await admin.describeTopics([topic])).get(topic);
      if (existing !== undefined) {
        if (options.ifNotExists) return;
        throw new UserError(`topic '${topic}' already exists`);
      }
      await admin.createTopics([{ name: topic, partitions: options.partitions, config }]);
      process.stdout.write(`Created topic ${topic}.\n`);
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError((e as Error).message);
    } finally {
      await log.close();
    }
  });

  addLogOptions(topics.command('describe').description('show partitions, offsets and settings of topics').argument('[topics...]')).action(
    async (names: string[], options: LogCliOptions) => {
      const log = await openCliLog(options);
      try {
        const admin = log.admin();
        const list = names.length > 0 ? names : await admin.listTopics();
        const described = await admin.describeTopics(list);
        for (const name of list) {
          const d = described.get(name);
          if (d === undefined) throw new UserError(`topic '${name}' does not exist`);
          const configs = Object.entries(d.config).map(([k, v]) => `${k}=${v}`).join(',');
          process.stdout.write(`Topic: ${name}\tPartitionCount: ${d.partitions}\tConfigs: ${configs}\n`);
          const start = await admin.beginningOffsets(name);
          const end = await admin.endOffsets(name);
          for (let p = 0; p < d.partitions; p++) {
            process.stdout.write(`\tTopic: ${name}\tPartition: ${p}\tStartOffset: ${start[p]}\tEndOffset: ${end[p]}\n`);
          }
        }
      } finally {
        await log.close();
      }
    },
  );

  addLogOptions(topics.command('delete').description('delete topics').argument('<topics...>')).action(async (names: string[], options: LogCliOptions) => {
    const log = await openCliLog(options);
    try {
      const admin = log.admin();
      const described = await admin.describeTopics(names);
      const missing = names.filter((n) => !described.has(n));
      if (missing.length > 0) throw new UserError(`topic '${missing[0]}' does not exist`);
      await admin.deleteTopics(names);
    } finally {
      await log.close();
    }
  });
}
