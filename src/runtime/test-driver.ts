import type { Serde } from '../serde/serde.js';
import type { InputRecord, ProducedRecord } from '../log/types.js';
import { wireToBuffer } from '../log/types.js';
import { Headers, type RawHeaders } from '../processor/headers.js';
import { RecordCache } from '../state/record-cache.js';
import type { StateStore, KeyValue, TimestampedKeyValueStore } from '../state/store.js';
import type { Topology, Subtopology } from '../topology/topology.js';
import { type StreamsConfig, type StreamsConfigInput, resolveConfig } from './config.js';
import { handleRecordError } from './error-handling.js';
import { Metrics } from './metrics.js';
import { EMIT_INTERVAL_OUTER_JOIN } from './internal-config.js';
import { type TimestampedWindowStore, type WindowStore, WindowStoreImpl } from '../state/window-store.js';
import { type SessionStore, SessionStoreImpl } from '../state/session-store.js';
import { StreamTask, drainOutbox } from './stream-task.js';
import type { TaskEnvironment } from './task-environment.js';
import { physicalTopicName } from './topic-planner.js';

/** A record as tests write and read it. */
export interface TestRecord<K, V> {
  readonly key: K | null;
  readonly value: V | null;
  readonly timestamp: number;
  readonly headers: Headers;
}

/** A record as it was written to a topic (serialized), in production order. */
export interface ProducedTestRecord {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers?: RawHeaders;
}

/**
 * Runs a topology synchronously in memory, like Kafka Streams' TopologyTestDriver: every input
 * record is processed (through repartition topics too) before pipeInput returns, caches are
 * flushed after each record, and wall-clock time only moves when told to.
 */
export class TopologyTestDriver implements TaskEnvironment {
  readonly config: StreamsConfig;
  readonly cache: RecordCache;
  readonly metrics = new Metrics();
  private wallClock: number;
  private readonly task: StreamTask;
  private readonly sourceTopics = new Set<string>();
  private readonly nextOffset = new Map<string, number>();
  private readonly outputs = new Map<string, ProducedTestRecord[]>();
  private readonly produced: ProducedTestRecord[] = [];
  private pendingAsync: Promise<unknown>[] = [];
  private closed = false;

  constructor(
    private readonly topology: Topology,
    config: StreamsConfigInput = {},
    initialWallClockTimeMs: number = Date.now(),
  ) {
    // Like Kafka Streams' driver: left/outer stream-stream joins check for closed windows on every record.
    this.config = resolveConfig({ 'application.id': 'topology-test-driver', [EMIT_INTERVAL_OUTER_JOIN]: 0, ...config });
    this.cache = new RecordCache(this.config.cacheMaxBytes);
    this.wallClock = initialWallClockTimeMs;
    topology.validate();
    // One task over partition 0 of every topic, holding all sub-topologies (as Kafka Streams' driver does).
    const all: Subtopology = {
      id: 0,
      nodes: [...topology.nodes.keys()],
      sourceTopics: topology.subtopologies().flatMap((s) => s.sourceTopics),
      stores: topology.subtopologies().flatMap((s) => s.stores),
    };
    for (const t of all.sourceTopics) this.sourceTopics.add(this.physicalTopic(t));
    this.task = new StreamTask(this, topology, all, 0);
    // What is piped in is the whole input: every partition counts as caught up, never as unfetched.
    for (const q of this.task.queues) q.knownEnd = 0;
    this.task.initStoresInMemory();
    this.task.initProcessors();
  }

  // ---- TaskEnvironment ------------------------------------------------------------------

  now(): number {
    return this.wallClock;
  }

  physicalTopic(logical: string): string {
    return physicalTopicName(this.topology, this.config.applicationId, logical);
  }

  partitionsFor(): number {
    return 1;
  }

  storeDir(): string | null {
    return null;
  }

  onRecordError(task: StreamTask, kind: 'deserialization' | 'processing', record: InputRecord | null, error: unknown, nodeName?: string): void {
    handleRecordError(this.config, this.metrics, () => 1, task, kind, record, error, nodeName);
  }

  requestCommit(): void {}

  // ---- input ----------------------------------------------------------------------------

  private ensureOpen(): void {
    if (this.closed) throw new Error('the test driver is closed');
  }

  /** Pipes one serialized record and processes everything it causes. */
  pipeRaw(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers?: RawHeaders): void {
    this.ensureOpen();
    if (!this.sourceTopics.has(topic)) throw new Error(`Unknown topic: ${topic}`);
    this.enqueue({ topic, key, value, timestamp, headers });
    this.completeAllProcessableWork();
  }

  private enqueue(r: { topic: string; key: Buffer | null; value: Buffer | null; timestamp: number; headers?: RawHeaders }): void {
    const offset = this.nextOffset.get(r.topic) ?? 0;
    this.nextOffset.set(r.topic, offset + 1);
    this.task.enqueueRecord({ topic: r.topic, partition: 0, offset, key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers });
  }

  private completeAllProcessableWork(): void {
    this.capture();
    while (this.task.bufferedRecords > 0) {
      if (this.task.process(1) === 0) break;
      this.collectAsync();
      this.task.flushCaches();
      this.capture();
    }
  }

  private collectAsync(): void {
    if (this.task.pendingAsync.length > 0) {
      this.pendingAsync.push(...this.task.pendingAsync);
      this.task.pendingAsync = [];
    }
  }

  /** Records every write; writes to topics the topology also reads go back in as input. */
  private capture(): void {
    const records: ProducedRecord[] = drainOutbox(this.task);
    for (const r of records) {
      const out: ProducedTestRecord = { topic: r.topic, key: wireToBuffer(r.key), value: wireToBuffer(r.value), timestamp: r.timestamp, headers: r.headers };
      this.produced.push(out);
      let list = this.outputs.get(r.topic);
      if (list === undefined) this.outputs.set(r.topic, (list = []));
      list.push(out);
      if (this.sourceTopics.has(r.topic)) this.enqueue(out);
    }
  }

  /** Moves the mock wall clock and fires due wall-clock punctuations. */
  advanceWallClockTime(ms: number): void {
    this.ensureOpen();
    if (ms < 0) throw new RangeError('advanceWallClockTime: ms must not be negative');
    this.wallClock += ms;
    this.task.punctuateWallClock(this.wallClock);
    this.collectAsync();
    this.task.flushCaches();
    this.completeAllProcessableWork();
  }

  /** Waits for async punctuators started so far (the driver itself stays synchronous). */
  async settle(): Promise<void> {
    while (this.pendingAsync.length > 0) {
      const pending = this.pendingAsync;
      this.pendingAsync = [];
      await Promise.all(pending);
      this.task.flushCaches();
      this.completeAllProcessableWork();
    }
  }

  createInputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>, startTimestamp = this.wallClock, autoAdvanceMs = 0): TestInputTopic<K, V> {
    if (autoAdvanceMs < 0) throw new RangeError('autoAdvance must be positive');
    return new TestInputTopic(this, topic, keySerde, valueSerde, startTimestamp, autoAdvanceMs);
  }

  createOutputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): TestOutputTopic<K, V> {
    return new TestOutputTopic(this, topic, keySerde, valueSerde);
  }

  // ---- output ---------------------------------------------------------------------------

  /** @internal */
  outputQueue(topic: string): ProducedTestRecord[] | undefined {
    return this.outputs.get(topic);
  }

  /** Every record written to any topic, in production order (including internal topics). */
  producedRecords(): readonly ProducedTestRecord[] {
    return this.produced;
  }

  producedTopicNames(): Set<string> {
    return new Set(this.produced.map((r) => r.topic));
  }

  // ---- stores ---------------------------------------------------------------------------

  getStateStore<S extends StateStore = StateStore>(name: string): S | null {
    if (!this.task.stores.has(name)) return null;
    return this.task.storeFacade(name) as S;
  }

  getKeyValueStore<K, V>(name: string): TimestampedKeyValueStore<K, V> | null {
    return this.getStateStore<TimestampedKeyValueStore<K, V>>(name);
  }

  getTimestampedKeyValueStore<K, V>(name: string): TimestampedKeyValueStore<K, V> | null {
    return this.getKeyValueStore<K, V>(name);
  }

  /** A window store (values without their timestamps), or null. */
  getWindowStore<K, V>(name: string): WindowStore<K, V> | null {
    const s = this.task.stores.get(name);
    return s instanceof WindowStoreImpl ? (s as WindowStoreImpl<K, V>) : null;
  }

  /** A window store whose values carry their timestamps (fetchWithTimestamp), or null. */
  getTimestampedWindowStore<K, V>(name: string): TimestampedWindowStore<K, V> | null {
    const s = this.task.stores.get(name);
    return s instanceof WindowStoreImpl && s.options.timestamped ? (s as WindowStoreImpl<K, V>) : null;
  }

  getSessionStore<K, V>(name: string): SessionStore<K, V> | null {
    const s = this.task.stores.get(name);
    return s instanceof SessionStoreImpl ? (s as SessionStoreImpl<K, V>) : null;
  }

  getAllStateStores(): Map<string, StateStore> {
    return new Map([...this.task.stores.keys()].map((n) => [n, this.task.storeFacade(n)]));
  }

  metricsSnapshot(): Record<string, number> {
    return this.metrics.snapshot();
  }

  close(): void {
    if (this.closed) return;
    this.task.flushCaches();
    this.capture();
    this.closed = true;
    void this.task.close();
  }
}

export class TestInputTopic<K, V> {
  private currentTime: number;

  /** @internal */
  constructor(
    private readonly driver: TopologyTestDriver,
    readonly name: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    startTimestamp: number,
    private readonly autoAdvanceMs: number,
  ) {
    this.currentTime = startTimestamp;
  }

  private nextTime(timestamp: number | undefined): number {
    if (timestamp !== undefined) return timestamp;
    const t = this.currentTime;
    this.currentTime += this.autoAdvanceMs;
    return t;
  }

  pipeInput(key: K | null, value: V | null, timestamp?: number, headers?: Headers): void {
    this.driver.pipeRaw(
      this.name,
      this.keySerde.serialize(key, this.name),
      this.valueSerde.serialize(value, this.name),
      this.nextTime(timestamp),
      headers?.toRaw(),
    );
  }

  pipeValue(value: V | null, timestamp?: number): void {
    this.pipeInput(null, value, timestamp);
  }

  pipeRecord(record: Partial<TestRecord<K, V>>): void {
    this.pipeInput(record.key ?? null, record.value ?? null, record.timestamp, record.headers);
  }

  pipeRecordList(records: ReadonlyArray<Partial<TestRecord<K, V>>>): void {
    for (const r of records) this.pipeRecord(r);
  }

  pipeKeyValueList(pairs: ReadonlyArray<KeyValue<K, V>>, startTimestamp?: number, advanceMs = 0): void {
    let t = startTimestamp;
    for (const [k, v] of pairs) {
      this.pipeInput(k, v, t);
      if (t !== undefined) t += advanceMs;
    }
  }

  pipeValueList(values: ReadonlyArray<V>, startTimestamp?: number, advanceMs = 0): void {
    let t = startTimestamp;
    for (const v of values) {
      this.pipeInput(null, v, t);
      if (t !== undefined) t += advanceMs;
    }
  }

  advanceTime(ms: number): void {
    if (ms < 0) throw new RangeError('advance must be positive');
    this.currentTime += ms;
  }
}

export class TestOutputTopic<K, V> {
  private read = 0;

  /** @internal */
  constructor(
    private readonly driver: TopologyTestDriver,
    readonly name: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {}

  getQueueSize(): number {
    const q = this.driver.outputQueue(this.name);
    return q === undefined ? 0 : q.length - this.read;
  }

  isEmpty(): boolean {
    return this.getQueueSize() === 0;
  }

  readRecord(): TestRecord<K, V> {
    const q = this.driver.outputQueue(this.name);
    if (q === undefined) throw new Error(`Uninitialized topic: ${this.name}`);
    if (this.read >= q.length) throw new Error(`Empty topic: ${this.name}`);
    const r = q[this.read++]!;
    return {
      key: this.keySerde.deserialize(r.key, this.name),
      value: this.valueSerde.deserialize(r.value, this.name),
      timestamp: r.timestamp,
      headers: new Headers(r.headers),
    };
  }

  readValue(): V | null {
    return this.readRecord().value;
  }

  readKeyValue(): KeyValue<K | null, V | null> {
    const r = this.readRecord();
    return [r.key, r.value];
  }

  readRecordsToList(): TestRecord<K, V>[] {
    const out: TestRecord<K, V>[] = [];
    while (!this.isEmpty()) out.push(this.readRecord());
    return out;
  }

  readKeyValuesToList(): Array<KeyValue<K | null, V | null>> {
    return this.readRecordsToList().map((r) => [r.key, r.value] as const);
  }

  readValuesToList(): Array<V | null> {
    return this.readRecordsToList().map((r) => r.value);
  }

  /** Last value per key; a deleted key stays with a null value. */
  readKeyValuesToMap(): Map<K, V | null> {
    const out = new Map<K, V | null>();
    for (const r of this.readRecordsToList()) {
      if (r.key === null) throw new Error('Null keys not allowed with readKeyValuesToMap method');
      out.set(r.key, r.value);
    }
    return out;
  }
}
