import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  ApplicationClaim,
  CommittedOffset,
  ConsumedBatch,
  ConsumedRecord,
  GroupConsumer,
  HandedOffRecords,
  HandoffTaskProducer,
  Log,
  LogAdmin,
  LogCapabilities,
  LogOptions,
  OffsetToCommit,
  PartitionReader,
  ProducedRecord,
  RebalanceListener,
  StandbyAssignment,
  TaskCommit,
  TopicDescription,
  TopicPartition,
  TopicSpec,
} from '../types.js';
import { approxRecordBytes, tpKey } from '../types.js';
import { FetchedEnds } from '../fetched-ends.js';
import { BATCH_HEADER_BYTES, batchLength, batchProblem, decodeBatch, encodeBatch, headerProblem, placeProblem, readBatchHeader } from './batch-format.js';
import { LogDamageError } from './log-damage.js';
import { LogStateFile, type PartitionState } from './log-state.js';
import { SegmentFiles } from './segment-files.js';
import { lock, tryLock } from '../locks.js';
import { yieldToEventLoop } from '../../common/event-loop.js';

export const SEGMENT_BYTES = 64 * 1024 * 1024;
const READ_CHUNK_BYTES = 1024 * 1024;
/**
 * Reads are synchronous: a read of many records (a poll over many partitions, a large restore read)
 * goes in pieces of about this many records, and lets the event loop run between pieces once it
 * has run for READ_SLICE_MS, so that other work of the process (queries) never waits long behind it.
 */
const READ_PIECE_RECORDS = 4096;
const READ_SLICE_MS = 10;
const LOCK_TIMEOUT_MS = 60_000;
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export class UnknownTopicError extends Error {
  override readonly name = 'UnknownTopicError';
  constructor(readonly topic: string) {
    super(`topic '${topic}' does not exist`);
  }
}

export function validateTopicName(name: string): void {
  if (!TOPIC_NAME.test(name) || name === '.' || name === '..') {
    throw new Error(`invalid topic name '${name}': use 1-249 characters of [a-zA-Z0-9._-]`);
  }
}

export interface EmbeddedLogOptions {
  /** Size at which a partition starts a new segment file. */
  segmentBytes?: number;
  /** Where recovery says what it did (e.g. an uncommitted tail it cut); default: stderr. */
  warn?: (message: string) => void;
}

function warnOnStderr(message: string): void {
  process.stderr.write(`[kstream] WARN ${message}\n`);
}

interface ReadCursor {
  offset: number;
  segmentBase: number;
  position: number;
  /** End offset of the batch before `position`, when known. */
  lastEnd: number | undefined;
}

/**
 * The embedded durable log: partitioned topics as segment files under `<dataDir>/log`, with one
 * state file that commits atomically. Several processes may read; writers take a short
 * cross-process lock per commit.
 */
export class EmbeddedLog implements Log {
  /** One process runs an application, commits all its tasks in one atomic step, and writes only when it commits. */
  readonly capabilities: LogCapabilities = {
    sharedGroup: false,
    buffersUntilCommit: true,
    inProcessHandoff: { taskProducer: () => new EmbeddedTaskProducer(this) },
  };
  readonly location: string;
  private readonly dir: string;
  private readonly state: LogStateFile;
  private readonly files: SegmentFiles;
  private readonly lockKey: string;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly cursors = new Map<string, ReadCursor>();
  private readonly waiters = new Set<() => void>();
  private closed = false;

  private readonly segmentBytes: number;

  private constructor(dataDir: string, options: EmbeddedLogOptions) {
    this.segmentBytes = options.segmentBytes ?? SEGMENT_BYTES;
    this.dir = join(dataDir, 'log');
    mkdirSync(join(this.dir, 'topics'), { recursive: true });
    this.location = realpathSync(dataDir);
    this.lockKey = realpathSync(this.dir);
    this.state = new LogStateFile(this.dir, join(this.dir, 'topics'));
    this.files = new SegmentFiles(join(this.dir, 'topics'), options.warn ?? warnOnStderr);
    this.state.refresh();
  }

  static open(dataDir: string, options: EmbeddedLogOptions = {}): EmbeddedLog {
    return new EmbeddedLog(dataDir, options);
  }

  // ---- writing --------------------------------------------------------------------------

  /** Runs `fn` holding both the in-process and the cross-process write lock, on fresh state. */
  private withWriteLock<T>(fn: () => T): Promise<T> {
    const run = async (): Promise<T> => {
      const held = await lock('log', this.lockKey, join(this.dir, 'write.lock'), LOCK_TIMEOUT_MS);
      try {
        this.state.refresh();
        return fn();
      } finally {
        await held.release();
      }
    };
    const result = this.chain.then(run, run);
    this.chain = result.catch(() => undefined);
    return result.finally(() => this.notify());
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Appends records (grouped per partition into one batch each); caller holds the lock and writes state. */
  private appendLocked(records: readonly ProducedRecord[], ends: Map<string, number>, handedOff?: readonly HandedOffRecords[]): void {
    // topic → records per partition; no per-record string keys on this path.
    const byTopic = new Map<string, ProducedRecord[][]>();
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      let parts = byTopic.get(r.topic);
      if (parts === undefined) byTopic.set(r.topic, (parts = []));
      const list = parts[r.partition];
      if (list === undefined) parts[r.partition] = [r];
      else list.push(r);
    }
    for (const [topic, parts] of byTopic) {
      for (let partition = 0; partition < parts.length; partition++) {
        const list = parts[partition];
        if (list !== undefined) this.appendPartitionLocked(topic, partition, 0, list, ends);
      }
    }
    if (handedOff !== undefined) for (const h of handedOff) this.appendPartitionLocked(h.topic, h.partition, h.gap, h.records, ends);
  }

  /** Leaves a gap of `gap` offsets (records consumed in-process, never written), then writes `list` as one batch. */
  private appendPartitionLocked(topic: string, partition: number, gap: number, list: readonly ProducedRecord[], ends: Map<string, number>): void {
    const key = tpKey(topic, partition);
    const ps = this.state.data.partitions[key];
    if (ps === undefined) {
      if (this.state.data.topics[topic] === undefined) throw new UnknownTopicError(topic);
      throw new Error(`partition ${partition} of topic '${topic}' does not exist`);
    }
    ps.end += gap;
    ends.set(key, ps.end);
    if (list.length === 0) return;
    const batch = encodeBatch(list, ps.end, ps.written);
    let last = ps.segments[ps.segments.length - 1]!;
    if (last[1] > 0 && last[1] + batch.length > this.segmentBytes) {
      last = [ps.end, 0];
      ps.segments.push(last);
    }
    this.files.writeAt(topic, partition, last[0], last[1], batch);
    last[1] += batch.length;
    ps.end += list.length;
    ps.written = ps.end;
    ends.set(key, ps.end);
  }

  private commitOffsetsLocked(groupId: string, offsets: readonly OffsetToCommit[]): void {
    if (offsets.length === 0) return;
    const group = (this.state.data.groups[groupId] ??= {});
    for (const o of offsets) {
      group[tpKey(o.topic, o.partition)] = o.metadata === undefined ? [o.offset] : [o.offset, o.metadata];
    }
  }

  async append(records: readonly ProducedRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.withWriteLock(() => {
      this.appendLocked(records, new Map());
      this.files.sync();
      this.state.write();
    });
  }

  /** Appends records and commits offsets in one atomic step. */
  commitAtomically(
    records: readonly ProducedRecord[],
    groupId: string,
    offsets: readonly OffsetToCommit[],
    handedOff?: readonly HandedOffRecords[],
  ): Promise<Map<string, number>> {
    return this.withWriteLock(() => {
      const ends = new Map<string, number>();
      this.appendLocked(records, ends, handedOff);
      this.commitOffsetsLocked(groupId, offsets);
      if (records.length > 0 || offsets.length > 0 || (handedOff !== undefined && handedOff.length > 0)) {
        this.files.sync();
        this.state.write();
      }
      return ends;
    });
  }

  // ---- reading --------------------------------------------------------------------------

  /** Looks for commits by other processes; cheap (one stat) when nothing changed. */
  refresh(): void {
    this.state.refresh();
  }

  partitionState(topic: string, partition: number): PartitionState | undefined {
    return this.state.data.partitions[tpKey(topic, partition)];
  }

  topicPartitions(topic: string): number | undefined {
    return this.state.data.topics[topic]?.partitions;
  }

  /**
   * Reads whole batches from `offset` (records below it in the first batch are skipped) until
   * about `maxRecords` records are collected. Uses the state as of the last refresh.
   */
  readPartition(topic: string, partition: number, offset: number, maxRecords: number): ConsumedRecord[] {
    const key = tpKey(topic, partition);
    const ps = this.state.data.partitions[key];
    if (ps === undefined) throw new UnknownTopicError(topic);
    if (offset < ps.start) offset = ps.start;
    if (offset >= ps.end) return [];
    let cursor = this.cursors.get(key);
    if (cursor === undefined || cursor.offset !== offset || !ps.segments.some((s) => s[0] === cursor!.segmentBase)) {
      cursor = this.locate(topic, partition, ps, offset);
    }
    const out: ConsumedRecord[] = [];
    let segIndex = ps.segments.findIndex((s) => s[0] === cursor!.segmentBase);
    let position = cursor.position;
    let lastEnd = cursor.lastEnd;
    let next = offset;
    while (out.length < maxRecords && segIndex < ps.segments.length) {
      const [base, committed] = ps.segments[segIndex]!;
      if (position >= committed) {
        if (segIndex === ps.segments.length - 1) break;
        segIndex++;
        position = 0;
        continue;
      }
      let chunk = this.files.read(topic, partition, base, position, Math.min(READ_CHUNK_BYTES, committed - position));
      let p = 0;
      while (chunk.length - p >= BATCH_HEADER_BYTES) {
        const length = batchLength(chunk, p);
        if (length > chunk.length - p && p === 0 && length <= committed - position) {
          // A batch larger than a chunk: read it whole (bounded by the committed extent).
          chunk = this.files.read(topic, partition, base, position, length);
        } else if (length > chunk.length - p && length >= BATCH_HEADER_BYTES && length <= committed - position - p) {
          break; // continues in the next chunk
        }
        const problem = batchProblem(chunk, p);
        if (problem !== undefined) throw this.damage(topic, partition, base, position + p, problem);
        const header = readBatchHeader(chunk, p);
        const misplaced = placeProblem(header, lastEnd);
        if (misplaced !== undefined) throw this.damage(topic, partition, base, position + p, misplaced);
        lastEnd = header.baseOffset + header.count;
        if (lastEnd > next) {
          const bad = decodeBatch(chunk, p, topic, partition, next, out);
          if (bad !== undefined) throw this.damage(topic, partition, base, position + p, bad);
          next = lastEnd;
        }
        p += header.length;
        if (out.length >= maxRecords) break;
      }
      if (p === 0) throw this.damage(topic, partition, base, position, `a batch is cut off at the committed size ${committed}`);
      position += p;
    }
    const segmentBase = ps.segments[Math.min(segIndex, ps.segments.length - 1)]![0];
    this.cursors.set(key, { offset: next, segmentBase, position, lastEnd });
    return out;
  }

  /**
   * Finds the batch holding `offset` by walking batch headers of its segment (their checksums are
   * checked when read): a header out of place is damage.
   */
  private locate(topic: string, partition: number, ps: PartitionState, offset: number): ReadCursor {
    let segIndex = 0;
    for (let i = 0; i < ps.segments.length; i++) if (ps.segments[i]![0] <= offset) segIndex = i;
    const [base, committed] = ps.segments[segIndex]!;
    let position = 0;
    let lastEnd: number | undefined;
    while (committed - position >= BATCH_HEADER_BYTES) {
      const head = this.files.read(topic, partition, base, position, BATCH_HEADER_BYTES);
      const problem = headerProblem(head, 0, committed - position) ?? placeProblem(readBatchHeader(head, 0), lastEnd);
      if (problem !== undefined) throw this.damage(topic, partition, base, position, problem);
      const header = readBatchHeader(head, 0);
      if (header.baseOffset + header.count > offset) break;
      lastEnd = header.baseOffset + header.count;
      position += header.length;
    }
    // Past the last batch (`offset` in a gap of offsets never written): the walk must end exactly there.
    if (position > committed || (position < committed && committed - position < BATCH_HEADER_BYTES)) {
      throw this.damage(topic, partition, base, position, `a batch is cut off at the committed size ${committed}`);
    }
    return { offset, segmentBase: base, position, lastEnd };
  }

  private damage(topic: string, partition: number, base: number, position: number, problem: string): LogDamageError {
    return new LogDamageError(this.files.segmentPath(topic, partition, base), position, problem, {
      what: `damaged log segment of topic '${topic}' partition ${partition},`,
    });
  }

  /** Resolves when this process commits, `wake()` is called, or another process's commit is seen. */
  async waitForData(maxWaitMs: number, isWoken: () => boolean): Promise<void> {
    const deadline = Date.now() + maxWaitMs;
    let notified = false;
    const waiter = () => {
      notified = true;
    };
    this.waiters.add(waiter);
    try {
      while (!notified && !isWoken() && !this.closed && Date.now() < deadline) {
        if (this.state.refresh()) return;
        await sleep(Math.min(10, Math.max(1, deadline - Date.now())));
      }
    } finally {
      this.waiters.delete(waiter);
    }
  }

  // ---- views ----------------------------------------------------------------------------

  admin(): LogAdmin {
    return new EmbeddedAdmin(this);
  }

  groupConsumer(groupId: string): GroupConsumer {
    return new EmbeddedGroupConsumer(this, groupId);
  }

  taskProducer(_options: LogOptions): HandoffTaskProducer {
    return new EmbeddedTaskProducer(this);
  }

  /** The group has one member: only one process may run an application on this data dir. */
  async claimApplication(applicationId: string, stateDir: string): Promise<ApplicationClaim> {
    mkdirSync(stateDir, { recursive: true });
    const claim = await tryLock('app', `${this.location}|${applicationId}`, join(stateDir, `${applicationId}.lock`));
    if (claim === null) throw new Error(`application '${applicationId}' is already running on data dir ${this.location}`);
    return claim;
  }

  reader(): PartitionReader {
    return {
      read: async (topic, partition, offset, maxRecords) => {
        this.refresh();
        let sliceStart = performance.now();
        const out = this.readPartition(topic, partition, offset, Math.min(maxRecords, READ_PIECE_RECORDS));
        while (out.length > 0 && out.length < maxRecords) {
          if (performance.now() - sliceStart >= READ_SLICE_MS) {
            await yieldToEventLoop();
            sliceStart = performance.now();
          }
          const more = this.readPartition(topic, partition, out[out.length - 1]!.offset + 1, Math.min(maxRecords - out.length, READ_PIECE_RECORDS));
          if (more.length === 0) break;
          for (let i = 0; i < more.length; i++) out.push(more[i]!);
        }
        return out;
      },
      close: async () => {},
    };
  }

  // ---- admin operations (used by EmbeddedAdmin) ------------------------------------------

  listTopicNames(): string[] {
    this.refresh();
    return Object.keys(this.state.data.topics).sort();
  }

  describe(name: string): TopicDescription | undefined {
    const t = this.state.data.topics[name];
    return t === undefined ? undefined : { name, partitions: t.partitions, config: { ...t.config } };
  }

  async createTopics(specs: readonly TopicSpec[]): Promise<void> {
    for (const s of specs) {
      validateTopicName(s.name);
      if (!Number.isInteger(s.partitions) || s.partitions < 1) throw new Error(`topic '${s.name}' needs at least one partition`);
    }
    return this.withWriteLock(() => {
      let changed = false;
      for (const s of specs) {
        if (this.state.data.topics[s.name] !== undefined) continue;
        this.state.data.topics[s.name] = { partitions: s.partitions, config: { ...(s.config ?? {}) } };
        for (let p = 0; p < s.partitions; p++) {
          this.files.createPartitionDir(s.name, p);
          this.state.data.partitions[tpKey(s.name, p)] = { start: 0, end: 0, written: 0, segments: [[0, 0]] };
        }
        changed = true;
      }
      if (changed) this.state.write();
    });
  }

  deleteTopics(names: readonly string[]): Promise<void> {
    return this.withWriteLock(() => {
      for (const name of names) {
        const t = this.state.data.topics[name];
        if (t === undefined) continue;
        delete this.state.data.topics[name];
        for (let p = 0; p < t.partitions; p++) {
          delete this.state.data.partitions[tpKey(name, p)];
          this.cursors.delete(tpKey(name, p));
        }
        for (const g of Object.values(this.state.data.groups)) {
          for (const k of Object.keys(g)) if (k.startsWith(name + '/')) delete g[k];
        }
      }
      this.state.write();
      for (const name of names) this.files.removeTopic(name);
    });
  }

  deleteGroups(groupIds: readonly string[]): Promise<void> {
    return this.withWriteLock(() => {
      for (const id of groupIds) delete this.state.data.groups[id];
      this.state.write();
    });
  }

  deleteRecordsBefore(topic: string, partition: number, offset: number): Promise<void> {
    return this.withWriteLock(() => {
      const ps = this.state.data.partitions[tpKey(topic, partition)];
      if (ps === undefined || offset <= ps.start) return;
      ps.start = Math.min(offset, ps.end);
      const dropped: number[] = [];
      while (ps.segments.length > 1 && ps.segments[1]![0] <= ps.start) dropped.push(ps.segments.shift()![0]);
      this.state.write();
      for (const base of dropped) this.files.forgetSegment(topic, partition, base);
    });
  }

  committed(groupId: string, topics: readonly string[]): Map<string, CommittedOffset> {
    this.refresh();
    const out = new Map<string, CommittedOffset>();
    const group = this.state.data.groups[groupId];
    if (group === undefined) return out;
    const wanted = new Set(topics);
    for (const [key, [offset, metadata]] of Object.entries(group)) {
      const topic = key.slice(0, key.lastIndexOf('/'));
      if (wanted.has(topic)) out.set(key, metadata === undefined ? { offset } : { offset, metadata });
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.chain;
    this.notify();
    this.files.close();
  }
}

class EmbeddedAdmin implements LogAdmin {
  constructor(private readonly log: EmbeddedLog) {}

  async listTopics(): Promise<string[]> {
    return this.log.listTopicNames();
  }

  async describeTopics(names: readonly string[]): Promise<Map<string, TopicDescription>> {
    this.log.refresh();
    const out = new Map<string, TopicDescription>();
    for (const n of names) {
      const d = this.log.describe(n);
      if (d !== undefined) out.set(n, d);
    }
    return out;
  }

  createTopics(topics: readonly TopicSpec[]): Promise<void> {
    return this.log.createTopics(topics);
  }

  deleteTopics(names: readonly string[]): Promise<void> {
    return this.log.deleteTopics(names);
  }

  deleteGroups(groupIds: readonly string[]): Promise<void> {
    return this.log.deleteGroups(groupIds);
  }

  private offsets(topic: string, pick: (ps: PartitionState) => number): number[] {
    this.log.refresh();
    const n = this.log.topicPartitions(topic);
    if (n === undefined) throw new UnknownTopicError(topic);
    const out: number[] = [];
    for (let p = 0; p < n; p++) out.push(pick(this.log.partitionState(topic, p)!));
    return out;
  }

  async endOffsets(topic: string): Promise<number[]> {
    return this.offsets(topic, (ps) => ps.end);
  }

  /** No transaction stays open between commits: the end of the log is the committed end. */
  logEndOffsets(topic: string): Promise<number[]> {
    return this.endOffsets(topic);
  }

  async beginningOffsets(topic: string): Promise<number[]> {
    return this.offsets(topic, (ps) => ps.start);
  }

  async committedOffsets(groupId: string, topics: readonly string[]): Promise<Map<string, CommittedOffset>> {
    return this.log.committed(groupId, topics);
  }

  deleteRecordsBefore(topic: string, partition: number, offset: number): Promise<void> {
    return this.log.deleteRecordsBefore(topic, partition, offset);
  }
}

/** The single member of a group on the embedded log: it is assigned every partition. */
class EmbeddedGroupConsumer implements GroupConsumer {
  private assigned: TopicPartition[] = [];
  private pendingAssignment: TopicPartition[] | null = null;
  private listener: RebalanceListener | null = null;
  private readonly positions = new Map<string, number>();
  private readonly paused = new Set<string>();
  private woken = false;
  readonly fetchedEnds = new FetchedEnds();

  constructor(
    private readonly log: EmbeddedLog,
    private readonly groupId: string,
  ) {}

  async subscribe(topics: readonly string[], listener: RebalanceListener): Promise<void> {
    this.log.refresh();
    const tps: TopicPartition[] = [];
    for (const topic of topics) {
      const n = this.log.topicPartitions(topic);
      if (n === undefined) throw new UnknownTopicError(topic);
      for (let p = 0; p < n; p++) tps.push({ topic, partition: p });
    }
    this.listener = listener;
    this.pendingAssignment = tps;
  }

  async poll(maxWaitMs: number): Promise<ConsumedBatch[]> {
    if (this.pendingAssignment !== null) {
      const tps = this.pendingAssignment;
      this.pendingAssignment = null;
      this.assigned = tps;
      this.fetchedEnds.clear();
      const committed = this.log.committed(this.groupId, [...new Set(tps.map((t) => t.topic))]);
      for (const tp of tps) {
        const key = tpKey(tp.topic, tp.partition);
        if (!this.positions.has(key)) this.positions.set(key, committed.get(key)?.offset ?? 0);
      }
      await this.listener!.onAssigned(tps);
    }
    this.woken = false;
    let batches = await this.fetch();
    if (batches.length === 0 && maxWaitMs > 0) {
      await this.log.waitForData(maxWaitMs, () => this.woken);
      batches = await this.fetch();
    }
    return batches;
  }

  /** Up to READ_PIECE_RECORDS of each assigned partition; yields between partitions once the read ran READ_SLICE_MS. */
  private async fetch(): Promise<ConsumedBatch[]> {
    this.log.refresh();
    const out: ConsumedBatch[] = [];
    let sliceStart = performance.now();
    for (const tp of this.assigned) {
      if (performance.now() - sliceStart >= READ_SLICE_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
      const key = tpKey(tp.topic, tp.partition);
      const ps = this.log.partitionState(tp.topic, tp.partition);
      if (ps === undefined) continue;
      // Every assigned partition's end is known at once, so a task never waits for one to be fetched.
      this.fetchedEnds.set(key, ps.end);
      if (this.paused.has(key)) continue;
      const position = Math.max(this.positions.get(key) ?? 0, ps.start);
      if (position >= ps.end) continue;
      const records = this.log.readPartition(tp.topic, tp.partition, position, READ_PIECE_RECORDS);
      if (records.length === 0) {
        // Nothing but a gap of offsets left (records consumed in-process were not written): the
        // task's position moves past it too, or the partition would look as if it lagged.
        this.positions.set(key, ps.end);
        out.push({ topic: tp.topic, partition: tp.partition, records, endOffset: ps.end, nextOffset: ps.end });
        continue;
      }
      this.positions.set(key, records[records.length - 1]!.offset + 1);
      out.push({ topic: tp.topic, partition: tp.partition, records, endOffset: ps.end });
    }
    return out;
  }

  seek(topic: string, partition: number, offset: number): void {
    this.positions.set(tpKey(topic, partition), offset);
  }

  /** The group has this process as its only member. */
  tasksByHost(): null {
    return null;
  }

  /** One member: no standbys. */
  standbyTasks(): StandbyAssignment {
    return { tasks: [], hosts: new Map() };
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.paused.add(tpKey(tp.topic, tp.partition));
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.paused.delete(tpKey(tp.topic, tp.partition));
  }

  wakeup(): void {
    this.woken = true;
  }

  async close(): Promise<void> {
    this.assigned = [];
  }
}

/**
 * Buffers records until their task commits, then writes them with the offsets atomically. The
 * buffer keeps the order records were sent in across tasks, so that a partition written by
 * several tasks gets its records in send order (the runtime relies on it to know offsets early).
 */
class EmbeddedTaskProducer implements HandoffTaskProducer {
  /** Sent records in send order, as the arrays they were sent in. */
  private chunks: Array<{ taskId: string; records: readonly ProducedRecord[]; bytes: number }> = [];
  private bytes = 0;

  constructor(private readonly log: EmbeddedLog) {}

  send(taskId: string, records: readonly ProducedRecord[]): void {
    if (records.length === 0) return;
    let bytes = 0;
    for (let i = 0; i < records.length; i++) bytes += approxRecordBytes(records[i]!);
    this.chunks.push({ taskId, records, bytes });
    this.bytes += bytes;
  }

  /** Removes and returns the records of `taskIds`, in send order. */
  private take(taskIds: ReadonlySet<string>): ProducedRecord[] {
    const taken: ProducedRecord[] = [];
    const kept: typeof this.chunks = [];
    this.bytes = 0;
    for (const c of this.chunks) {
      if (taskIds.has(c.taskId)) {
        for (let i = 0; i < c.records.length; i++) taken.push(c.records[i]!);
      } else {
        kept.push(c);
        this.bytes += c.bytes;
      }
    }
    this.chunks = kept;
    return taken;
  }

  async openTasks(): Promise<void> {}

  async closeTasks(): Promise<void> {}

  commit(groupId: string, commits: readonly TaskCommit[]): Promise<Map<string, number>> {
    return this.commitWithHandedOff(groupId, commits, []);
  }

  async commitWithHandedOff(groupId: string, commits: readonly TaskCommit[], handedOff: readonly HandedOffRecords[]): Promise<Map<string, number>> {
    const records = this.take(new Set(commits.map((c) => c.taskId)));
    const offsets: OffsetToCommit[] = [];
    for (const c of commits) for (const o of c.offsets) offsets.push(o);
    return this.log.commitAtomically(records, groupId, offsets, handedOff);
  }

  async abort(taskIds: readonly string[]): Promise<void> {
    this.take(new Set(taskIds));
  }

  bufferedBytes(): number {
    return this.bytes;
  }

  async close(): Promise<void> {
    this.chunks = [];
    this.bytes = 0;
  }
}
