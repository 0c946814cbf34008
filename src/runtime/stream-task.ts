import { PunctuationType, type Punctuator, type RecordMetadata, type TaskId, taskIdString } from '../processor/api.js';
import { Headers } from '../processor/headers.js';
import { StreamRecord } from '../processor/record.js';
import type { ConsumedBatch, InputRecord, OffsetToCommit, ProducedRecord, WireBytes } from '../log/types.js';
import { isStringSerde } from '../serde/serdes.js';
import type { Serde } from '../serde/serde.js';
import { tpKey } from '../log/types.js';
import type { ManagedStore } from '../state/managed-store.js';
import type { StateStore } from '../state/store.js';
import type { Topology, Subtopology } from '../topology/topology.js';
import { NodeRuntime, SinkProcessor, SourceRuntime, StreamsError } from './node-runtime.js';
import { PunctuationQueue, PunctuationSchedule } from './punctuation.js';
import { RecordQueue, type QueuedBytes } from './record-queue.js';
import type { TaskEnvironment } from './task-environment.js';
import { METRIC } from './metrics.js';
import { BEAT, Heartbeat } from './heartbeat.js';
import { type TimedOutRecord, RecordTimeoutError, forgetTimedOutRecord, readTimedOutRecord, timedOutRecordPath } from './timed-out-record.js';
import type { TaskSensors } from './metrics/sensors.js';
import { meteredStore } from './metrics/metered-store.js';

const PARTITION_TIME_PREFIX = 'kstream:pt=';

/** `<application.id>-<store>-changelog`, as Kafka Streams names changelog topics. */
export function changelogTopicName(applicationId: string, storeName: string): string {
  return `${applicationId}-${storeName}-changelog`;
}

/** A string on the wire is the UTF-8 of a string-serde value: no decoding needed for that serde. */
function decode(serde: Serde<unknown>, bytes: WireBytes, topic: string): unknown {
  if (typeof bytes === 'string') return isStringSerde(serde) ? bytes : serde.deserialize(Buffer.from(bytes, 'utf8'), topic);
  return serde.deserialize(bytes, topic);
}

/** Takes the records a task wrote since the last call. */
export function drainOutbox(task: StreamTask): ProducedRecord[] {
  const out = task.outbox;
  task.outbox = [];
  return out;
}

export function encodePartitionTime(time: number): string {
  return PARTITION_TIME_PREFIX + time;
}

export function decodePartitionTime(metadata: string | undefined): number {
  if (metadata === undefined || !metadata.startsWith(PARTITION_TIME_PREFIX)) return -1;
  const t = Number(metadata.slice(PARTITION_TIME_PREFIX.length));
  return Number.isFinite(t) ? t : -1;
}

function inputRecord(raw: QueuedBytes, offset: number): InputRecord {
  return { topic: raw.topic, partition: raw.partition, offset, key: raw.key, value: raw.value, timestamp: raw.timestamp, headers: raw.headers };
}

/**
 * One sub-topology running over one partition number: its processors and stores, the queues
 * of its input partitions, stream time and punctuations. Processing is synchronous; the
 * runtime awaits only between batches.
 */
export class StreamTask {
  readonly id: TaskId;
  readonly idString: string;
  readonly queues: RecordQueue[] = [];
  private readonly queueByPartition = new Map<string, RecordQueue>();
  private readonly nodes = new Map<string, NodeRuntime>();
  readonly stores = new Map<string, ManagedStore>();
  /** Output and changelog records written since the environment last drained them, in order. */
  outbox: ProducedRecord[] = [];
  /** Largest timestamp processed; -1 until the first record. */
  streamTime = -1;
  /** Stream time as restored from the committed offsets' metadata at resume (-1: started fresh). */
  committedStreamTime = -1;
  /** Timestamp of the record being processed (stores use it for puts without one). */
  currentTimestamp = 0;
  /** The record being processed (its bytes and offset), for metadata and error handling. */
  private currentRaw: QueuedBytes | null = null;
  private currentOffset = -1;
  private readonly streamPunctuations = new PunctuationQueue();
  private readonly wallPunctuations = new PunctuationQueue();
  private nextStreamPunctuation = Infinity;
  /** Promises returned by async punctuators; the runtime awaits them before going on. */
  pendingAsync: Promise<unknown>[] = [];
  private committedOffsets = new Map<string, number>();
  private initialized = false;
  /** The watchdog's heartbeat slots (see heartbeat.ts). */
  private readonly beat: Float64Array;
  /** A record of this task that got stuck in an earlier run; undefined until resume() looked. */
  private timedOut: TimedOutRecord | null | undefined;
  /** This task's metrics (metrics/sensors.ts). */
  readonly sensors: TaskSensors;
  private readonly meteredStores: Map<string, StateStore> | null;

  constructor(
    readonly env: TaskEnvironment,
    readonly topology: Topology,
    readonly subtopology: Subtopology,
    partition: number,
  ) {
    this.id = { subtopology: subtopology.id, partition };
    this.idString = taskIdString(this.id);
    this.sensors = env.metrics.sensors.task(this.idString);
    this.meteredStores = env.metrics.sensors.level === 'DEBUG' || env.metrics.sensors.level === 'TRACE' ? new Map() : null;
    const heartbeat = env.heartbeat ?? new Heartbeat(false);
    this.beat = heartbeat.slots;
    this.build(heartbeat);
  }

  private build(heartbeat: Heartbeat): void {
    const config = this.env.config;
    const sources: Array<[SourceRuntime, readonly string[]]> = [];
    const runtimes = new Map<string, NodeRuntime | SourceRuntime>();
    for (const name of this.subtopology.nodes) {
      const def = this.topology.node(name);
      if (def.kind === 'source') {
        const src = new SourceRuntime(name, def.keySerde ?? config.defaultKeySerde, def.valueSerde ?? config.defaultValueSerde, def.timestampExtractor);
        sources.push([src, def.topics]);
        runtimes.set(name, src);
      } else if (def.kind === 'processor') {
        const node = new NodeRuntime(name, def.supplier(), this, def.stores);
        this.nodes.set(name, node);
        runtimes.set(name, node);
      } else {
        const node = new NodeRuntime(name, null as any, this, []);
        (node as { processor: unknown }).processor = new SinkProcessor(def, this.env, this);
        this.nodes.set(name, node);
        runtimes.set(name, node);
      }
    }
    for (const name of this.subtopology.nodes) {
      const def = this.topology.node(name);
      const rt = runtimes.get(name)!;
      rt.children = def.children.map((c) => {
        const child = runtimes.get(c);
        if (!(child instanceof NodeRuntime)) throw new StreamsError(`'${c}' cannot be a child of '${name}'`);
        return child;
      });
    }
    for (const [src, topics] of sources) {
      for (const t of topics) {
        const physical = this.env.physicalTopic(t);
        const q = new RecordQueue(physical, this.id.partition, src);
        q.beatId = heartbeat.register(this.idString, physical, this.id.partition);
        this.queues.push(q);
        this.queueByPartition.set(tpKey(physical, this.id.partition), q);
      }
    }
    for (const storeName of this.subtopology.stores) {
      this.stores.set(storeName, this.topology.storeBuilders.get(storeName)!.build());
    }
  }

  changelogTopic(storeName: string): string | null {
    const b = this.topology.storeBuilders.get(storeName)!;
    return b.loggingEnabled ? changelogTopicName(this.env.config.applicationId, storeName) : null;
  }

  /** Opens the stores (restoring them is the runtime's job); processors are initialized after. */
  async initStores(): Promise<void> {
    for (const name of this.stores.keys()) await this.initStore(name);
  }

  /** Opens stores that need no disk synchronously (the test driver). */
  initStoresInMemory(): void {
    for (const name of this.stores.keys()) {
      if (this.initStore(name) !== undefined) throw new StreamsError(`store '${name}' cannot be opened synchronously`);
    }
  }

  initStore(name: string): Promise<void> | void {
    return this.stores.get(name)!.init({
      applicationId: this.env.config.applicationId,
      taskId: this.id,
      storeDir: this.env.storeDir(this.idString, name),
      changelogTopic: this.changelogTopic(name),
      changelogPartition: this.id.partition,
      cache: this.env.cache,
      logChange: (topic, partition, key, value, timestamp, headers) =>
        this.outbox.push(headers === undefined ? { topic, partition, key, value, timestamp } : { topic, partition, key, value, timestamp, headers }),
      currentRecordTimestamp: () => this.currentTimestamp,
      currentStreamTime: () => this.streamTime,
      warn: (message) => this.env.config.logger.warn(message),
      onDroppedRecord: (message) => {
        this.env.metrics.increment(METRIC.dropped);
        this.env.config.logger.warn(message);
      },
      appConfigs: this.env.config.raw,
    });
  }

  initProcessors(): void {
    if (this.initialized) return;
    this.initialized = true;
    this.sensors.phase = 'RUNNING';
    for (const node of this.nodes.values()) node.processor.init?.(node.context);
  }

  storeFacade(name: string): StateStore {
    const s = this.stores.get(name);
    if (s === undefined) throw new StreamsError(`state store '${name}' is not part of task ${this.idString}`);
    if (this.meteredStores === null) return s.facade();
    let metered = this.meteredStores.get(name);
    if (metered === undefined) this.meteredStores.set(name, (metered = meteredStore(s.facade(), this.sensors.store(name))));
    return metered;
  }

  queueFor(topic: string, partition: number): RecordQueue | undefined {
    return this.queueByPartition.get(tpKey(topic, partition));
  }

  /** Restores stream time and offsets from what was committed. */
  resume(topic: string, partition: number, committedOffset: number, metadata: string | undefined): void {
    const q = this.queueFor(topic, partition);
    if (q === undefined) return;
    q.consumedOffset = committedOffset;
    q.fetchPosition = committedOffset;
    this.committedOffsets.set(tpKey(topic, partition), committedOffset);
    const pt = decodePartitionTime(metadata);
    if (pt > q.partitionTime) q.partitionTime = pt;
    if (pt > this.streamTime) this.streamTime = pt;
    if (pt > this.committedStreamTime) this.committedStreamTime = pt;
    if (this.timedOut === undefined) this.timedOut = readTimedOutRecord(this.timedOutPath(), this.env.config.logger);
    const t = this.timedOut;
    if (t === null || t.topic !== topic || t.partition !== partition) return;
    if (t.offset >= committedOffset) {
      q.timedOutOffset = t.offset;
    } else {
      this.forgetTimedOut();
    }
  }

  /** The record is behind the committed offset: processed (or sent to the DLQ) for good. */
  private forgetTimedOut(): void {
    forgetTimedOutRecord(this.timedOutPath());
    this.timedOut = null;
  }

  private timedOutPath(): string {
    return timedOutRecordPath(this.env.config.stateDir, this.env.config.applicationId, this.idString);
  }

  // ---- input ----------------------------------------------------------------------------

  /** Queues the batch's records [from, to) (all by default). */
  enqueue(batch: ConsumedBatch, from = 0, to = batch.records.length): void {
    const q = this.queueFor(batch.topic, batch.partition);
    if (q === undefined) throw new StreamsError(`task ${this.idString} does not read ${batch.topic}-${batch.partition}`);
    q.knownEnd = batch.endOffset;
    const records = batch.records;
    for (let i = from; i < to; i++) {
      const raw = records[i]!;
      q.fetchPosition = raw.offset + 1;
      this.stamp(q, raw, raw.offset);
    }
  }

  /** Enqueues one record (the test driver feeds records this way). */
  enqueueRecord(raw: InputRecord): void {
    const q = this.queueFor(raw.topic, raw.partition);
    if (q === undefined) throw new StreamsError(`task ${this.idString} does not read ${raw.topic}-${raw.partition}`);
    this.enqueueInto(q, raw, raw.offset);
  }

  /** Enqueues one record into a queue of this task the caller already holds. */
  enqueueInto(q: RecordQueue, raw: QueuedBytes, offset: number): void {
    q.fetchPosition = offset + 1;
    this.stamp(q, raw, offset);
  }

  /** Decodes a record and queues it with its (extracted) timestamp, or queues why it cannot be processed. */
  private stamp(q: RecordQueue, raw: QueuedBytes, offset: number): void {
    if (offset === q.timedOutOffset) {
      q.add(raw, offset, null, { kind: 'timed-out', record: this.timedOut! });
      return;
    }
    const src = q.source;
    let key: unknown;
    let value: unknown;
    try {
      key = decode(src.keySerde, raw.key, raw.topic);
      value = decode(src.valueSerde, raw.value, raw.topic);
    } catch (error) {
      q.add(raw, offset, null, { kind: 'deserialization', error });
      return;
    }
    let timestamp = raw.timestamp;
    if (src.extractor !== undefined) {
      try {
        const headers = new Headers(raw.headers);
        timestamp = src.extractor({ topic: raw.topic, partition: raw.partition, offset, key, value, timestamp, headers }, q.partitionTime);
      } catch (error) {
        q.add(raw, offset, null, { kind: 'deserialization', error });
        return;
      }
    }
    if (!(timestamp >= 0)) {
      q.add(raw, offset, null, { kind: 'invalid-timestamp', timestamp });
      return;
    }
    q.add(raw, offset, new StreamRecord(key, value, timestamp, raw.headers));
  }

  get bufferedRecords(): number {
    let n = 0;
    for (const q of this.queues) n += q.size;
    return n;
  }

  // ---- processing -----------------------------------------------------------------------

  /**
   * Processes up to `max` records, always taking the buffered record with the lowest timestamp
   * across the task's partitions. Stops early when a partition has nothing buffered but more
   * on the log (its records might come first), or when a punctuator went async.
   */
  process(max: number): number {
    const queues = this.queues;
    const single = queues.length === 1;
    const idleMs = this.env.config.maxTaskIdleMs;
    const beat = this.beat;
    const started = this.sensors.timed ? performance.now() : 0;
    let n = 0;
    while (n < max && beat[BEAT.yield] === 0) {
      let best: RecordQueue | null = null;
      let bestTs = Infinity;
      let waiting = false;
      for (let i = 0; i < queues.length; i++) {
        const q = queues[i]!;
        if (q.size === 0) {
          if (!single && idleMs >= 0 && (q.lagging || (idleMs > 0 && this.stillIdling(q, idleMs)))) waiting = true;
          continue;
        }
        q.idleSince = -1;
        const ts = q.headTimestamp();
        if (ts < bestTs) {
          bestTs = ts;
          best = q;
        }
      }
      // Kafka Streams' max.task.idle.ms: with records buffered on some partitions, wait while an empty
      // one has unfetched data (0, the default), or for up to that long even when it has none (> 0).
      if (best === null || waiting) break;
      this.processOne(best);
      n++;
      if (this.streamTime >= this.nextStreamPunctuation) this.punctuateStreamTime();
      if (this.pendingAsync.length > 0) break;
    }
    if (n > 0) this.sensors.processedBatch(n, this.sensors.timed ? performance.now() - started : 0);
    return n;
  }

  /** An empty, caught-up partition makes the task wait until it has been empty for `idleMs`. */
  private stillIdling(q: RecordQueue, idleMs: number): boolean {
    const now = this.env.now();
    if (q.idleSince < 0) q.idleSince = now;
    return now - q.idleSince < idleMs;
  }

  private processOne(q: RecordQueue): void {
    q.poll();
    const offset = q.polledOffset;
    q.consumedOffset = offset + 1;
    const record = q.polledRecord;
    if (record === null) {
      const raw = q.polledRaw!;
      const failure = q.polledFailure!;
      if (failure.kind === 'deserialization') {
        this.env.metrics.increment(METRIC.deserializationErrors);
        this.env.onRecordError(this, 'deserialization', inputRecord(raw, offset), failure.error);
      } else if (failure.kind === 'timed-out') {
        this.env.metrics.increment(METRIC.processingErrors);
        this.env.onRecordError(this, 'processing', inputRecord(raw, offset), this.timeoutError(failure.record), q.source.name);
      } else {
        this.env.metrics.increment(METRIC.dropped);
        this.env.config.logger.warn(`skipping record ${raw.topic}-${raw.partition}@${offset}: invalid (negative) timestamp ${failure.timestamp}`);
      }
      return;
    }
    const ts = record.timestamp;
    if (ts > q.partitionTime) q.partitionTime = ts;
    if (ts > this.streamTime) this.streamTime = ts;
    this.currentRaw = q.polledRaw;
    this.currentOffset = offset;
    this.env.metrics.processed++;
    const beat = this.beat;
    beat[BEAT.source] = q.beatId;
    beat[BEAT.offset] = offset;
    try {
      q.source.forward(this, record);
    } finally {
      this.currentRaw = null;
      beat[BEAT.source] = -1;
    }
  }

  private timeoutError(t: TimedOutRecord): RecordTimeoutError {
    return new RecordTimeoutError(
      `processing took longer than record.processing.timeout.ms=${t.timeoutMs} (stuck for ${(t.stuckMs / 1000).toFixed(1)} s at ${t.at}; ` +
        `delete ${this.timedOutPath()} to process it again)`,
    );
  }

  /** Where the record being processed came from; null inside a punctuation. */
  get currentMetadata(): RecordMetadata | null {
    const raw = this.currentRaw;
    return raw === null ? null : { topic: raw.topic, partition: raw.partition, offset: this.currentOffset };
  }

  /** A processor threw while processing the current record (or a punctuation). */
  onProcessorError(nodeName: string, error: unknown): void {
    if (error instanceof FatalTaskError) throw error;
    this.env.metrics.increment(METRIC.processingErrors);
    const raw = this.currentRaw;
    this.env.onRecordError(this, 'processing', raw === null ? null : inputRecord(raw, this.currentOffset), error, nodeName);
  }

  // ---- punctuation ----------------------------------------------------------------------

  schedule(nodeName: string, intervalMs: number, type: PunctuationType, punctuator: Punctuator): PunctuationSchedule {
    if (type === PunctuationType.STREAM_TIME) {
      // Aligned to 0: the first firing comes with the first record (as in Kafka Streams).
      const s = new PunctuationSchedule(nodeName, 0, intervalMs, punctuator);
      this.streamPunctuations.add(s);
      this.nextStreamPunctuation = Math.min(this.nextStreamPunctuation, 0);
      return s;
    }
    const s = new PunctuationSchedule(nodeName, this.env.now() + intervalMs, intervalMs, punctuator);
    this.wallPunctuations.add(s);
    return s;
  }

  private runPunctuator(s: PunctuationSchedule, time: number): void {
    const previousTs = this.currentTimestamp;
    this.sensors.punctuated();
    this.currentRaw = null;
    this.currentTimestamp = time;
    try {
      const result = s.punctuator(time);
      if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
        this.pendingAsync.push((result as Promise<void>).catch((error) => this.onProcessorError(s.nodeName, error)));
      }
    } catch (error) {
      this.onProcessorError(s.nodeName, error);
    } finally {
      this.currentTimestamp = previousTs;
    }
  }

  punctuateStreamTime(): void {
    if (this.streamTime < 0) return;
    for (const s of this.streamPunctuations.takeDue(this.streamTime)) {
      if (s.cancelled) continue;
      this.runPunctuator(s, this.streamTime);
      s.advance(this.streamTime);
    }
    this.nextStreamPunctuation = this.streamPunctuations.nextDue();
  }

  /** Fires due wall-clock punctuations; returns how many fired. */
  punctuateWallClock(now: number): number {
    let fired = 0;
    for (const s of this.wallPunctuations.takeDue(now)) {
      if (s.cancelled) continue;
      this.runPunctuator(s, now);
      s.advance(now);
      fired++;
    }
    return fired;
  }

  nextWallClockDue(): number {
    return this.wallPunctuations.nextDue();
  }

  // ---- commit ---------------------------------------------------------------------------

  /** Pushes cached updates downstream (they may produce output and changelog records). */
  flushCaches(): void {
    for (const store of this.stores.values()) store.flushCache();
  }

  /** flushCaches() in steps of a bounded number of entries: the runtime may yield between them. */
  *flushCacheSteps(): Generator<void, void, void> {
    for (const store of this.stores.values()) {
      const steps = store.flushCacheSteps?.() ?? null;
      if (steps === null) store.flushCache();
      else while (!steps.next().done) yield;
      yield;
    }
  }

  pendingStoreBytes(): number {
    let n = 0;
    for (const s of this.stores.values()) n += s.pendingBytes();
    return n;
  }

  offsetsToCommit(): OffsetToCommit[] {
    const out: OffsetToCommit[] = [];
    for (const q of this.queues) {
      if (q.consumedOffset < 0) continue;
      const key = tpKey(q.topic, q.partition);
      if (this.committedOffsets.get(key) === q.consumedOffset) continue;
      out.push({ topic: q.topic, partition: q.partition, offset: q.consumedOffset, metadata: encodePartitionTime(q.partitionTime) });
    }
    return out;
  }

  /** After the log commit: stores persist their data with the changelog offsets they reflect. */
  async commitStores(changelogEnds: ReadonlyMap<string, number>, offsets: readonly OffsetToCommit[]): Promise<void> {
    for (const o of offsets) {
      this.committedOffsets.set(tpKey(o.topic, o.partition), o.offset);
      const t = this.timedOut;
      if (t != null && o.topic === t.topic && o.partition === t.partition && o.offset > t.offset) this.forgetTimedOut();
    }
    for (const [name, store] of this.stores) {
      const topic = this.changelogTopic(name);
      const end = topic === null ? undefined : changelogEnds.get(tpKey(topic, this.id.partition));
      await store.commit(end);
    }
  }

  /** Input partitions with what was consumed (for lag and idleness checks). */
  positions(): Array<{ topic: string; partition: number; consumed: number }> {
    return this.queues.map((q) => ({ topic: q.topic, partition: q.partition, consumed: q.consumedOffset }));
  }

  async close(): Promise<void> {
    // Processors of a task closed while restoring were never initialized.
    for (const node of this.initialized ? this.nodes.values() : []) {
      try {
        node.processor.close?.();
      } catch (error) {
        this.env.config.logger.warn(`processor '${node.name}' failed to close: ${(error as Error).message}`);
      }
    }
    for (const q of this.queues) q.clear();
    for (const store of this.stores.values()) await store.close();
    this.env.metrics.sensors.taskClosed(this.idString);
  }
}

/** Thrown through the processor graph to stop the task (the `fail` error policy). */
export class FatalTaskError extends Error {
  override readonly name = 'FatalTaskError';
}
