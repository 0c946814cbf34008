import type { StreamRecord, FixedKeyRecord } from './record.js';
import type { StateStore } from './state-store.js';

export enum PunctuationType {
  /** Fires as stream time (the largest record timestamp a task has seen) advances. */
  STREAM_TIME = 'STREAM_TIME',
  /** Fires as the system clock advances (checked between record batches). */
  WALL_CLOCK_TIME = 'WALL_CLOCK_TIME',
}

/** Called with the time that triggered it. May return a promise: the task awaits it before going on. */
export type Punctuator = (timestamp: number) => void | Promise<void>;

export interface Cancellable {
  cancel(): void;
}

/** Where the record being processed came from; null inside a punctuation. */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

export interface TaskId {
  readonly subtopology: number;
  readonly partition: number;
}

export function taskIdString(id: TaskId): string {
  return `${id.subtopology}_${id.partition}`;
}

interface ContextBase {
  readonly applicationId: string;
  readonly taskId: TaskId;
  readonly appConfigs: Readonly<Record<string, unknown>>;
  recordMetadata(): RecordMetadata | null;
  getStateStore<S extends StateStore>(name: string): S;
  schedule(intervalMs: number, type: PunctuationType, callback: Punctuator): Cancellable;
  /** Asks the runtime to commit soon (after the current batch). */
  commit(): void;
  currentSystemTimeMs(): number;
  currentStreamTimeMs(): number;
}

export interface ProcessorContext<KForward = unknown, VForward = unknown> extends ContextBase {
  /** Sends a record to all children, or to the named child only. */
  forward<K extends KForward, V extends VForward>(record: StreamRecord<K, V>, childName?: string): void;
}

export interface FixedKeyProcessorContext<KForward = unknown, VForward = unknown> extends ContextBase {
  forward<V extends VForward>(record: FixedKeyRecord<KForward, V>, childName?: string): void;
}

/** Kafka Streams' `api.Processor`: process() is synchronous; state and forwarding go through the context. */
export interface Processor<KIn, VIn, KOut = never, VOut = never> {
  init?(context: ProcessorContext<KOut, VOut>): void;
  process(record: StreamRecord<KIn, VIn>): void;
  close?(): void;
}

export interface FixedKeyProcessor<KIn, VIn, VOut = never> {
  init?(context: FixedKeyProcessorContext<KIn, VOut>): void;
  process(record: FixedKeyRecord<KIn, VIn>): void;
  close?(): void;
}

/** Creates one processor instance per task. */
export type ProcessorSupplier<KIn, VIn, KOut = never, VOut = never> = () => Processor<KIn, VIn, KOut, VOut>;
export type FixedKeyProcessorSupplier<KIn, VIn, VOut = never> = () => FixedKeyProcessor<KIn, VIn, VOut>;
