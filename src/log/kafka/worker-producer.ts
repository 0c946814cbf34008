/**
 * Writers that use one producer session for all of a worker's tasks:
 *
 * - `SingleSessionProducer`: the session, started on first use, and the records of every task sent
 *   in the background in one chain (one request in flight, so a retry repeats its sequences).
 * - `WorkerTransactionalProducer` (exactly_once_v2, KIP-447): one transactional producer per
 *   worker, `transactional.id = <application.id>-<process id>` (the id kept in the worker's state
 *   directory, so a restarted worker aborts its predecessor's open transaction at its first
 *   InitProducerId). A commit adds the input
 *   offsets of all tasks to the worker's transaction with the consumer group's metadata
 *   (generation id, member id; TxnOffsetCommit v3) and ends it. A zombie (a member the group has
 *   moved on from) is fenced by the group coordinator, which refuses its offsets: its transaction
 *   is aborted, all its tasks are lost (TaskMigratedError) and it rejoins. The next owner of a task
 *   reads committed offsets with require_stable (admin.ts), so it never starts before a transaction
 *   of the previous owner that is still completing.
 *
 * A worker's transaction holds all its tasks' records: aborting aborts them all (the runtime
 * aborts all its tasks together: only a member that was thrown out of its group aborts, and then
 * it has lost all its tasks). A cooperative rebalance does not end the transaction: its offsets
 * are committed with the generation the member has when they are sent (rebalance-commit.ts). A crashed worker's open transaction is
 * aborted when it restarts on its state directory, or else by the broker after
 * `transaction.timeout.ms` (10 s by default here, as Kafka Streams sets it), which bounds how long
 * its partitions' new owners wait.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Logger } from '../../common/logger.js';
import { TaskMigratedError, type OffsetToCommit, type ProducedRecord, type TaskCommit, type TaskProducer } from '../types.js';
import type { KafkaTuning } from './client-config.js';
import { isFencingError, isRetriableError, kafkaErrorMessage, retrying } from './errors.js';
import { createCluster, type KCluster } from './kafkajs-internals.js';
import { ProducerSession, type ProducerSessionOptions } from './producer-session.js';
import type { GroupMembership } from './group-consumer.js';
import { commitWithMembership } from './rebalance-commit.js';

/** What the producers need from the log around them. */
export interface ProducerHooks {
  /** The member's generation, for offset commits. */
  membership(groupId: string): GroupMembership | null;
  /** Tasks were lost to fencing or failure: the member should rejoin its group. */
  tasksLost(groupId: string, taskIds: readonly string[]): void;
}

/** A failure after which the task can be reassigned and retried, rather than a bug or a bad record. */
export function taskLostBy(error: unknown): boolean {
  return isFencingError(error) || isRetriableError(error);
}

/** The group coordinator's answers to offsets of a member that is not (or no longer) in the group's generation. */
const STALE_MEMBER = new Set(['ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'REBALANCE_IN_PROGRESS', 'FENCED_INSTANCE_ID']);

export function isStaleMemberError(error: unknown): boolean {
  const type = (error as { type?: string } | null)?.type;
  return type !== undefined && STALE_MEMBER.has(type);
}

export function sessionOptions(tuning: KafkaTuning, transactionalId: string | null, aborted: () => boolean, logger: Logger, transactionTimeoutMs = tuning.transactionTimeoutMs): ProducerSessionOptions {
  return {
    warn: (m: string) => logger.warn(transactionalId === null ? m : `${m} (producer ${transactionalId})`),
    transactionalId,
    transactionTimeoutMs,
    requestTimeoutMs: 30_000,
    maxRequestBytes: tuning.produceRequestBytes,
    retryTimeoutMs: tuning.taskTimeoutMs,
    aborted,
  };
}

/** About the bytes a record takes on the wire (a string's length stands in for its UTF-8 size). */
export function producedBytes(r: ProducedRecord): number {
  return 24 + (r.key === null ? 0 : r.key.length) + (r.value === null ? 0 : r.value.length);
}

/** One producer session for all tasks; records go out in the background, in order. */
export abstract class SingleSessionProducer implements TaskProducer {
  protected readonly cluster: KCluster;
  protected session: ProducerSession | null = null;
  private started: Promise<ProducerSession> | null = null;
  private pending: ProducedRecord[] = [];
  private pendingBytes = 0;
  private sentBytes = 0;
  private chain: Promise<void> = Promise.resolve();
  private error: unknown = null;
  private ends = new Map<string, number>();
  protected closed = false;
  private readonly options: ProducerSessionOptions;

  constructor(
    kafka: Kafka,
    protected readonly tuning: KafkaTuning,
    protected readonly hooks: ProducerHooks,
    protected readonly logger: Logger,
    transactionalId: string | null,
    transactionTimeoutMs = tuning.transactionTimeoutMs,
  ) {
    this.cluster = createCluster(kafka);
    this.options = sessionOptions(tuning, transactionalId, () => this.closed, logger, transactionTimeoutMs);
  }

  protected start(): Promise<ProducerSession> {
    this.started ??= (async () => {
      await retrying('connecting the producer', () => this.cluster.connect(), { timeoutMs: this.tuning.taskTimeoutMs, aborted: () => this.closed });
      const session = new ProducerSession(this.cluster, this.options);
      await session.init();
      this.session = session;
      return session;
    })().catch((e: unknown) => {
      this.started = null;
      throw e;
    });
    return this.started;
  }

  /** The next use starts a new session (a new producer id or epoch; sequence numbers from 0). */
  protected dropSession(): void {
    this.started = null;
    this.session = null;
  }

  /** One producer serves all tasks; it is released by close(). */
  async closeTasks(): Promise<void> {}

  async openTasks(): Promise<void> {
    await this.start();
  }

  send(_taskId: string, records: readonly ProducedRecord[]): void {
    let bytes = 0;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      this.pending.push(r);
      bytes += producedBytes(r);
    }
    this.pendingBytes += bytes;
    if (this.pendingBytes >= this.tuning.produceRequestBytes) this.dispatch();
  }

  private dispatch(): void {
    if (this.pending.length === 0) return;
    const records = this.pending;
    this.sentBytes += this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    this.chain = this.chain
      .then(async () => {
        if (this.error !== null) return;
        const session = await this.start();
        await session.send(records, this.ends);
      })
      .catch((e: unknown) => {
        this.error ??= e;
      });
  }

  /**
   * Sends what waits and waits for everything sent. Resolves with the end offsets written since the
   * last call and the first error of a send (then null ends), and starts afresh either way.
   */
  protected async drain(): Promise<{ ends: Map<string, number>; error: unknown }> {
    this.dispatch();
    await this.chain;
    const ends = this.ends;
    const error = this.error;
    this.ends = new Map();
    this.sentBytes = 0;
    this.error = null;
    return { ends, error };
  }

  /** Drops what was not sent yet; waits for what is on its way. */
  protected async dropPending(): Promise<void> {
    this.pending = [];
    this.pendingBytes = 0;
    await this.chain;
  }

  abstract commit(groupId: string, commits: readonly TaskCommit[]): Promise<Map<string, number>>;
  abstract abort(taskIds: readonly string[]): Promise<void>;

  bufferedBytes(): number {
    return this.pendingBytes + this.sentBytes;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.pending = [];
    await this.chain.catch(() => undefined);
    await this.cluster.disconnect().catch(() => undefined);
  }
}

export function allOffsets(commits: readonly TaskCommit[]): OffsetToCommit[] {
  const offsets: OffsetToCommit[] = [];
  for (const c of commits) for (const o of c.offsets) offsets.push(o);
  return offsets;
}

/** exactly_once_v2: one transaction per commit for all of the worker's tasks. */
export class WorkerTransactionalProducer extends SingleSessionProducer {
  readonly transactionalId: string;

  constructor(kafka: Kafka, applicationId: string, tuning: KafkaTuning, hooks: ProducerHooks, logger: Logger, processId: string = randomUUID()) {
    const transactionalId = `${applicationId}-${processId}`;
    super(kafka, tuning, hooks, logger, transactionalId, tuning.workerTransactionTimeoutMs);
    this.transactionalId = transactionalId;
  }

  async commit(groupId: string, commits: readonly TaskCommit[]): Promise<Map<string, number>> {
    const all = commits.map((c) => c.taskId);
    // The member that owns these tasks now; should the worker rejoin as a new member meanwhile, they are lost.
    const owner = this.hooks.membership(groupId)?.memberId ?? null;
    const { ends, error } = await this.drain();
    let failure = error;
    if (failure === null) {
      try {
        const session = await this.start();
        const offsets = allOffsets(commits);
        if (offsets.length > 0) {
          await commitWithMembership(
            groupId,
            () => this.hooks.membership(groupId),
            (member) => session.sendOffsets(groupId, offsets, { generationId: member.generationId, memberId: member.memberId, groupInstanceId: null }),
            this.tuning.sessionTimeoutMs,
            owner,
          );
        }
        await session.endTransaction(true);
        return ends;
      } catch (e) {
        failure = e;
      }
    }
    await this.abortTransaction();
    if (!taskLostBy(failure) && !isStaleMemberError(failure)) throw failure;
    this.hooks.tasksLost(groupId, all);
    throw new TaskMigratedError(`the worker's transaction could not commit (${kafkaErrorMessage(failure)})`, all, new Map());
  }

  /** Aborts the worker's transaction: the records of all its tasks since the last commit. */
  async abort(): Promise<void> {
    await this.dropPending().catch(() => undefined);
    await this.abortTransaction();
  }

  private async abortTransaction(): Promise<void> {
    await this.drain();
    const session = this.session;
    if (session === null) return;
    try {
      await session.endTransaction(false);
    } catch (error) {
      // Fenced (e.g. the broker aborted a transaction older than transaction.timeout.ms): a new epoch next time.
      this.logger.debug(`producer ${this.transactionalId}: abort failed (${kafkaErrorMessage(error)}); starting a new session`);
      this.dropSession();
    }
  }
}
