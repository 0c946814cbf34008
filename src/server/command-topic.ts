/**
 * The command topic of a ksqlDB service (`_confluent-ksql-<service id>_command_topic`, one
 * partition): every accepted statement that changes what the service runs (CREATE, DROP,
 * CSAS/CTAS, INSERT INTO ... SELECT, TERMINATE, CREATE/DROP TYPE) is appended to it, and every
 * server of the service executes its records in order. A record's offset is its command sequence
 * number. Records are read as hostile input: one that is not a command is skipped with a warning.
 */
import type { Log, PartitionReader } from '../log/types.js';

export interface Command {
  /** Unique per accepted statement: the accepting server waits for it to come back. */
  readonly id: string;
  /** One statement with its `;`, variables already substituted. */
  readonly statement: string;
  /** Properties the statement was accepted with (streamsProperties and SETs of its request). */
  readonly properties: Readonly<Record<string, string>>;
}

export interface SequencedCommand {
  readonly seq: number;
  readonly command: Command;
}

const MAX_COMMAND_BYTES = 1 << 20;
const READ_BATCH = 500;

export function commandTopicName(serviceId: string): string {
  return `_confluent-ksql-${serviceId}_command_topic`;
}

/** A command record's value, or null if it is not one (the reason goes to `warn`). */
export function decodeCommand(value: Buffer | null, warn: (message: string) => void, offset: number): Command | null {
  if (value === null || value.length > MAX_COMMAND_BYTES) {
    warn(`command topic offset ${offset}: ${value === null ? 'empty record' : 'record too large'}, skipped`);
    return null;
  }
  try {
    const c = JSON.parse(value.toString('utf8')) as Partial<Command>;
    const props = c.properties;
    if (typeof c.id !== 'string' || typeof c.statement !== 'string' || typeof props !== 'object' || props === null || Object.values(props).some((v) => typeof v !== 'string')) {
      throw new Error('not a command');
    }
    return { id: c.id, statement: c.statement, properties: props };
  } catch (e) {
    warn(`command topic offset ${offset}: ${(e as Error).message}, skipped`);
    return null;
  }
}

export class CommandTopic {
  readonly topic: string;
  private reader: PartitionReader | null = null;

  constructor(
    private readonly log: Log,
    serviceId: string,
  ) {
    this.topic = commandTopicName(serviceId);
  }

  /** Creates the topic if missing: one partition, kept forever (ksqlDB's settings). */
  async ensure(): Promise<void> {
    await this.log.admin().createTopics([{ name: this.topic, partitions: 1, config: { 'cleanup.policy': 'delete', 'retention.ms': '-1' } }]);
  }

  async append(command: Command, key: string): Promise<void> {
    await this.log.append([{ topic: this.topic, partition: 0, key, value: JSON.stringify(command), timestamp: Date.now() }]);
  }

  async endOffset(): Promise<number> {
    return (await this.log.admin().endOffsets(this.topic))[0] ?? 0;
  }

  /** Commands from `offset` on (at most one read's worth); `next` is where to read next. */
  async read(offset: number, warn: (message: string) => void): Promise<{ commands: SequencedCommand[]; next: number }> {
    this.reader ??= this.log.reader({ readCommitted: true });
    const records = await this.reader.read(this.topic, 0, offset, READ_BATCH);
    const commands: SequencedCommand[] = [];
    let next = offset;
    for (const r of records) {
      next = r.offset + 1;
      const command = decodeCommand(r.value, warn, r.offset);
      if (command !== null) commands.push({ seq: r.offset, command });
    }
    return { commands, next };
  }

  async close(): Promise<void> {
    await this.reader?.close();
    this.reader = null;
  }
}
