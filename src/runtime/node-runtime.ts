import type { Cancellable, Processor, Punctuator, PunctuationType, RecordMetadata, TaskId } from '../processor/api.js';

import type { StreamRecord } from '../processor/record.js';
import type { Serde } from '../serde/serde.js';
import { partitionForWireKey } from '../log/murmur2.js';
import { isStringSerde } from '../serde/serdes.js';
import type { WireBytes } from '../log/types.js';
import type { SinkNodeDef, StreamPartitioner, TopicNameExtractor } from '../topology/nodes.js';
import type { StateStore } from '../state/store.js';
import type { StreamTask } from './stream-task.js';
import type { TaskEnvironment } from './task-environment.js';
import type { Logger } from '../common/logger.js';
import type { InternalProcessorContext, ProcessorMetrics } from './internal-context.js';

export class StreamsError extends Error {
  override readonly name = 'StreamsError';
}

/**
 * Runs one child. An exception is handled for the node that threw (as Kafka Streams does): only
 * that node's work for this record is lost; its parent goes on with its other children.
 */
function processChild(task: StreamTask, child: NodeRuntime, record: StreamRecord<any, any>): void {
  try {
    child.processor.process(record);
  } catch (error) {
    task.onProcessorError(child.name, error);
  }
}

/** A processor instance of one task, with its children. */
export class NodeRuntime {
  children: NodeRuntime[] = [];
  readonly context: NodeContext;

  constructor(
    readonly name: string,
    readonly processor: Processor<any, any, any, any>,
    readonly task: StreamTask,
    readonly storeNames: readonly string[],
  ) {
    this.context = new NodeContext(this);
  }

  childNamed(name: string): NodeRuntime {
    const child = this.children.find((c) => c.name === name);
    if (child === undefined) throw new StreamsError(`'${this.name}' has no child named '${name}'`);
    return child;
  }
}

/** The ProcessorContext of one node in one task. */
export class NodeContext implements InternalProcessorContext<any, any> {
  constructor(private readonly node: NodeRuntime) {}

  get metrics(): ProcessorMetrics {
    return this.node.task.env.metrics;
  }

  get logger(): Logger {
    return this.node.task.env.config.logger;
  }

  get taskScope(): object {
    return this.node.task;
  }

  get committedStreamTime(): number {
    return this.node.task.committedStreamTime;
  }

  get applicationId(): string {
    return this.node.task.env.config.applicationId;
  }

  get taskId(): TaskId {
    return this.node.task.id;
  }

  get appConfigs(): Readonly<Record<string, unknown>> {
    return this.node.task.env.config.raw;
  }

  forward(record: StreamRecord<any, any>, childName?: string): void {
    const task = this.node.task;
    const previous = task.currentTimestamp;
    task.currentTimestamp = record.timestamp;
    try {
      if (childName !== undefined) {
        processChild(task, this.node.childNamed(childName), record);
        return;
      }
      const children = this.node.children;
      for (let i = 0; i < children.length; i++) processChild(task, children[i]!, record);
    } finally {
      task.currentTimestamp = previous;
    }
  }

  recordMetadata(): RecordMetadata | null {
    return this.node.task.currentMetadata;
  }

  getStateStore<S extends StateStore>(name: string): S {
    if (!this.node.storeNames.includes(name)) {
      throw new StreamsError(`processor '${this.node.name}' has no access to state store '${name}': connect them in the topology`);
    }
    return this.node.task.storeFacade(name) as S;
  }

  schedule(intervalMs: number, type: PunctuationType, callback: Punctuator): Cancellable {
    if (!(intervalMs >= 1)) throw new RangeError(`a punctuation interval must be at least 1 ms, got ${intervalMs}`);
    return this.node.task.schedule(this.node.name, intervalMs, type, callback);
  }

  commit(): void {
    this.node.task.env.requestCommit();
  }

  currentSystemTimeMs(): number {
    return this.node.task.env.now();
  }

  currentStreamTimeMs(): number {
    return this.node.task.streamTime;
  }
}

/** The processor behind a sink node: serializes, partitions and hands records to the environment. */
export class SinkProcessor implements Processor<any, any> {
  private readonly fixedTopic: string | null;
  private readonly extractor: TopicNameExtractor<any, any> | null;
  private readonly keySerde: Serde<any>;
  private readonly valueSerde: Serde<any>;
  private readonly partitioner: StreamPartitioner<any, any> | undefined;
  private readonly keyAsString: boolean;
  private readonly valueAsString: boolean;
  private nullKeyCounter = 0;

  constructor(
    def: SinkNodeDef,
    private readonly env: TaskEnvironment,
    private readonly task: StreamTask,
  ) {
    this.fixedTopic = typeof def.topic === 'string' ? env.physicalTopic(def.topic) : null;
    this.extractor = typeof def.topic === 'string' ? null : def.topic;
    this.keySerde = def.keySerde ?? env.config.defaultKeySerde;
    this.valueSerde = def.valueSerde ?? env.config.defaultValueSerde;
    this.partitioner = def.partitioner;
    // String-serde keys and values go to the log as strings (the log writes their UTF-8 bytes).
    this.keyAsString = isStringSerde(this.keySerde);
    this.valueAsString = isStringSerde(this.valueSerde);
  }

  process(record: StreamRecord<any, any>): void {
    const topic = this.fixedTopic ?? this.extractTopic(record);
    const k = record.key;
    const v = record.value;
    const key: WireBytes = this.keyAsString && typeof k === 'string' ? k : this.keySerde.serialize(k, topic);
    const value: WireBytes = this.valueAsString && typeof v === 'string' ? v : this.valueSerde.serialize(v, topic);
    const n = this.env.partitionsFor(topic, this.task);
    let partition = this.partitioner?.(topic, record.key, record.value, n);
    if (partition === undefined || partition === null) {
      partition = key === null ? this.nullKeyCounter++ % n : partitionForWireKey(key, n);
    } else if (!(partition >= 0 && partition < n)) {
      throw new StreamsError(`partitioner chose partition ${partition} of topic '${topic}', which has ${n}`);
    }
    this.task.outbox.push({ topic, partition, key, value, timestamp: record.timestamp, headers: record.rawHeaders() });
  }

  private extractTopic(record: StreamRecord<any, any>): string {
    const meta = this.task.currentMetadata;
    return this.extractor!(record.key, record.value, {
      topic: meta?.topic ?? null,
      partition: meta?.partition ?? null,
      offset: meta?.offset ?? null,
      timestamp: record.timestamp,
      headers: record.headers,
    });
  }
}

/** A source node of a task: decoding happens when records are queued; this only forwards. */
export class SourceRuntime {
  children: NodeRuntime[] = [];

  constructor(
    readonly name: string,
    readonly keySerde: Serde<any>,
    readonly valueSerde: Serde<any>,
    readonly extractor: ((record: any, partitionTime: number) => number) | undefined,
  ) {}

  forward(task: StreamTask, record: StreamRecord<any, any>): void {
    task.currentTimestamp = record.timestamp;
    const children = this.children;
    for (let i = 0; i < children.length; i++) processChild(task, children[i]!, record);
  }
}

