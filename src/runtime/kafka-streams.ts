import type { ApplicationClaim, Log } from '../log/types.js';
import { openLog } from '../log/open-log.js';
import type { Topology } from '../topology/topology.js';
import { type StreamsConfig, type StreamsConfigInput, resolveConfig } from './config.js';
import type { Logger } from '../common/logger.js';
import { StreamThread, type ThreadStatus } from './stream-thread.js';
import { deadLetterTopic } from './error-handling.js';
import { Watchdog } from './watchdog.js';
import type { StateStore } from '../state/store.js';
import type { QueryableStoreProvider, StoreQueryParameters } from './interactive-queries.js';
import { InvalidStateStoreException, StreamsNotStartedException, UnknownStateStoreException } from './store-exceptions.js';
import { type KeyPartitioning, type KeyQueryMetadata, type StreamsMetadata, StreamsMetadataState } from './streams-metadata.js';
import { StateMachine, type StateListener, type StreamsState, type StreamsUncaughtExceptionHandler, type StreamThreadExceptionResponse } from './streams-state.js';
import { MetricsRegistry } from './metrics/registry.js';
import { requestApplicationShutdown } from './shutdown-application.js';
import type { GroupConsumer } from '../log/types.js';
import { ShutdownRequestedError } from '../log/shutdown-requested.js';
import type { Metric } from './metrics/metric.js';
import { loadProcessId } from './process-id.js';
import type { HistogramMetric } from './metrics/histogram.js';

export type { StreamsState } from './streams-state.js';

/** A replaced worker waits this long first, so that an error at start-up cannot spin. */
const REPLACE_THREAD_BACKOFF_MS = 500;
const METRICS_SAMPLE_MS = 1_000;

export interface KafkaStreamsOptions {
  /** A log to run on; by default the embedded log of `data.dir`, or Kafka when `bootstrap.servers` is set. */
  readonly log?: Log;
  readonly logger?: Logger;
  /** @internal A socket to the supervising `kstream run` process (see watchdog.ts). */
  readonly controlFd?: number;
}

export interface RunOptions {
  /** Resolve once every input is consumed, processed and committed. */
  readonly untilIdle?: boolean;
}

/**
 * A running application (Kafka Streams' KafkaStreams): one topology, one application id, one
 * worker loop in this process.
 */
export class KafkaStreams {
  readonly config: StreamsConfig;
  private thread: StreamThread | null = null;
  private running: Promise<void> | null = null;
  private ownsLog = false;
  private log: Log | null;
  private appLock: ApplicationClaim | null = null;
  /** This worker's id, kept in its state directory (process-id.ts). */
  private processId: string | null = null;
  private watchdog: Watchdog | null = null;
  private readonly machine: StateMachine;
  private exceptionHandler: StreamsUncaughtExceptionHandler | null = null;
  private closing = false;
  private threads = 0;
  private readonly registry: MetricsRegistry;
  private sampling: NodeJS.Timeout | null = null;
  /** The handler's answer for the worker that just died (asked before it left its group). */
  private fatalResponse: StreamThreadExceptionResponse | null = null;

  constructor(
    private readonly topology: Topology,
    config: StreamsConfigInput,
    private readonly options: KafkaStreamsOptions = {},
  ) {
    this.config = resolveConfig(config, options.logger);
    this.log = options.log ?? null;
    topology.validate();
    this.machine = new StateMachine(this.config.logger);
    this.registry = new MetricsRegistry(() => {
      const t = this.thread;
      if (t === null) return null;
      return { applicationId: this.config.applicationId, threadId: this.threadId, sensors: t.metrics.sensors, counters: t.metrics.snapshot(), cache: t.cache };
    });
  }

  /** Kafka Streams' setStateListener: hears every state change (only settable before start). */
  setStateListener(listener: StateListener): void {
    this.machine.setListener(listener);
  }

  /**
   * Kafka Streams' setUncaughtExceptionHandler: decides what happens when the worker dies of an
   * exception (a processor throwing under the `fail` policy, a lost log). Without one, the
   * instance shuts down (SHUTDOWN_CLIENT) and `closed()` rejects with the error.
   */
  setUncaughtExceptionHandler(handler: StreamsUncaughtExceptionHandler): void {
    if (this.machine.state !== 'CREATED') throw new Error(`an uncaught-exception handler can only be set in state CREATED, not ${this.machine.state}`);
    this.exceptionHandler = handler;
  }

  /** Kafka Streams' thread-id of the current worker. */
  private get threadId(): string {
    const client = typeof this.config.raw['client.id'] === 'string' ? this.config.raw['client.id'] : `${this.config.applicationId}-${process.pid}`;
    return `${client}-StreamThread-${this.threads}`;
  }

  /** Starts processing in the background; `closed()` settles when it stops. */
  async start(options: RunOptions = {}): Promise<void> {
    if (this.running !== null) throw new Error('this application was already started');
    if (this.log === null) {
      this.log = await openLog({
        brokers: this.config.raw['bootstrap.servers'] as string | undefined,
        dataDir: this.config.dataDir,
        kafka: this.config.raw,
        logger: this.config.logger,
      });
      this.ownsLog = true;
    }
    try {
      this.appLock = await this.log.claimApplication(this.config.applicationId, this.config.stateDir);
      this.processId = loadProcessId(this.config.stateDir, this.config.applicationId, this.config.logger);
    } catch (error) {
      await this.appLock?.release();
      this.appLock = null;
      if (this.ownsLog) {
        await this.log.close();
        this.log = null;
        this.ownsLog = false;
      }
      throw error;
    }
    this.machine.to('REBALANCING');
    this.sampling = setInterval(() => this.registry.tick(), METRICS_SAMPLE_MS);
    this.sampling.unref();
    this.running = this.runThreads(options).then(
      () => this.release().then(() => void this.machine.to('NOT_RUNNING')),
      (error: unknown) =>
        this.release().then(() => {
          this.machine.to('ERROR');
          throw error;
        }),
    );
  }

  /** Runs the worker, and a new one in its place each time the handler answers REPLACE_THREAD. */
  private async runThreads(options: RunOptions): Promise<void> {
    for (;;) {
      const thread = this.startThread(options);
      try {
        await thread.run();
      } catch (error) {
        await this.watchdog?.stop();
        this.watchdog = null;
        const response = this.fatalResponse ?? this.decide(error);
        this.fatalResponse = null;
        if (response === 'REPLACE_THREAD') {
          this.config.logger.warn(`worker ${this.threadId} died (${(error as Error).message}); replacing it`);
          await new Promise((resolve) => setTimeout(resolve, REPLACE_THREAD_BACKOFF_MS));
          if (!this.closing) {
            this.machine.to('REBALANCING');
            continue;
          }
          this.machine.to('PENDING_SHUTDOWN');
          return;
        }
        this.machine.to('PENDING_ERROR');
        throw error;
      }
      this.machine.to('PENDING_SHUTDOWN');
      return;
    }
  }

  /** The handler's answer; asked by another instance (SHUTDOWN_APPLICATION there), stop without asking. */
  private decide(error: unknown): StreamThreadExceptionResponse {
    return this.closing || error instanceof ShutdownRequestedError ? 'SHUTDOWN_CLIENT' : this.responseTo(error);
  }

  /** A worker died: SHUTDOWN_APPLICATION asks the group to stop every instance while the worker is still a member. */
  private async onWorkerFatal(error: unknown, member: GroupConsumer | null): Promise<void> {
    const response = this.decide(error);
    this.fatalResponse = response;
    if (response !== 'SHUTDOWN_APPLICATION') return;
    this.machine.to('PENDING_ERROR');
    if (member !== null) await requestApplicationShutdown(member, this.config.applicationId, this.config.logger);
  }

  private responseTo(error: unknown): StreamThreadExceptionResponse {
    if (this.exceptionHandler === null) return 'SHUTDOWN_CLIENT';
    try {
      return this.exceptionHandler(error instanceof Error ? error : new Error(String(error)));
    } catch (e) {
      this.config.logger.warn(`uncaught-exception handler failed: ${(e as Error).message}; shutting down`);
      return 'SHUTDOWN_CLIENT';
    }
  }

  private startThread(options: RunOptions): StreamThread {
    this.threads++;
    const thread = new StreamThread(this.topology, this.config, this.log!, {
      untilIdle: options.untilIdle,
      onStateChange: () => this.followThread(),
      onFatal: (error, member) => this.onWorkerFatal(error, member),
      processId: this.processId ?? undefined,
    });
    this.thread = thread;
    if (this.config.recordProcessingTimeoutMs > 0 || this.options.controlFd !== undefined) {
      this.watchdog = Watchdog.start({
        heartbeat: thread.heartbeat,
        timeoutMs: this.config.recordProcessingTimeoutMs,
        applicationId: this.config.applicationId,
        stateDir: this.config.stateDir,
        deadLetterTopic: deadLetterTopic(this.config.applicationId),
        policy: this.config.processingPolicy,
        controlFd: this.options.controlFd,
        logger: this.config.logger,
      });
    }
    return thread;
  }

  /** RUNNING once the worker got its first assignment and no rebalance or restore is under way. */
  private followThread(): void {
    const t = this.thread;
    if (t === null || !this.machine.live || this.closing) return;
    const assigned = t.metrics.sensors.rebalances > 0;
    this.machine.to(t.state === 'RUNNING' && !t.rebalancing && assigned ? 'RUNNING' : 'REBALANCING');
  }

  private async release(): Promise<void> {
    if (this.sampling !== null) clearInterval(this.sampling);
    this.sampling = null;
    await this.watchdog?.stop();
    this.watchdog = null;
    await this.appLock?.release();
    this.appLock = null;
    if (this.ownsLog) await this.log?.close();
  }

  /** Runs until stopped (or, with untilIdle, until all input is processed). */
  async run(options: RunOptions = {}): Promise<void> {
    await this.start(options);
    await this.closed();
  }

  closed(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /** Commits and stops. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.machine.state === 'CREATED') {
      this.machine.to('PENDING_SHUTDOWN');
      this.machine.to('NOT_RUNNING');
      return;
    }
    this.machine.to('PENDING_SHUTDOWN');
    this.thread?.stop();
    await this.closed();
  }

  status(): ThreadStatus | null {
    return this.thread?.status() ?? null;
  }

  /**
   * Kafka Streams' metrics of this instance (names, groups and tags as in Kafka Streams; see
   * metrics/registry.ts), read now: rates are per second over the last ten seconds.
   */
  metrics(): Metric[] {
    return this.registry.metrics();
  }

  /** Latency histograms of this instance (commit, process batch), for Prometheus. */
  histograms(): HistogramMetric[] {
    return this.registry.histograms();
  }

  /** The application's state, by Kafka Streams' names. */
  state(): StreamsState {
    return this.machine.state;
  }

  // ---- interactive queries ------------------------------------------------------------------

  /**
   * A read-only view of a state store over this instance's tasks (Kafka Streams' `store()`).
   * Every call on the view throws InvalidStateStoreException while the store cannot be read here:
   * restoring (unless stale stores are enabled), migrated, or the application stopped.
   */
  store<T>(params: StoreQueryParameters<T>): T {
    const thread = this.queryableThread();
    const name = params.storeName;
    const builder = this.topology.storeBuilders.get(name);
    if (builder === undefined) throw new UnknownStateStoreException(`Cannot get state store ${name} because no such store is registered in the topology.`);
    const type = params.queryableStoreType;
    if (type.storeKind !== builder.kind) {
      throw new InvalidStateStoreException(`Cannot get state store ${name} because the queryable store type [${type.description}] does not accept the actual store type [${builder.kind}].`);
    }
    const provider: QueryableStoreProvider = {
      storeName: name,
      stores: (): StateStore[] => {
        const state = this.state();
        if (state !== 'RUNNING' && !(params.staleStoresEnabled && state === 'REBALANCING')) {
          throw new InvalidStateStoreException(`Cannot get state store ${name} because the application is ${state}, not RUNNING${params.staleStoresEnabled ? ' or REBALANCING' : ''}.`);
        }
        let found = thread.storesForQuery(name, params.staleStoresEnabled);
        if (params.partition !== null) {
          found = found.filter((s) => s.partition === params.partition);
          if (found.length === 0) throw new InvalidStateStoreException(`The specified partition ${params.partition} for store ${name} does not exist on this instance.`);
        }
        if (found.length === 0) throw new InvalidStateStoreException(`The state store, ${name}, may have migrated to another instance.`);
        return found.map((s) => s.store);
      },
      serving: (store) => thread.servesStore(store),
      read: (fn) => thread.cache.readOnly(fn),
    };
    return type.create(provider);
  }

  /** The instance (application.server) and partition that hold `key` in `storeName`; null for an unknown store. */
  queryMetadataForKey<K>(storeName: string, key: K, keySerializer: KeyPartitioning<K>): KeyQueryMetadata | null {
    return this.metadataState().keyQueryMetadata(storeName, key, keySerializer);
  }

  /** Every instance of this application that has an application.server, with its stores and partitions. */
  metadataForAllStreamsClients(): StreamsMetadata[] {
    return this.metadataState().allClients();
  }

  /** The instances that have `storeName`. */
  streamsMetadataForStore(storeName: string): StreamsMetadata[] {
    return this.metadataState().clientsWithStore(storeName);
  }

  private queryableThread(): StreamThread {
    if (this.thread === null) throw new StreamsNotStartedException('KafkaStreams has not been started, you can retry after calling start()');
    const state = this.state();
    if (state !== 'RUNNING' && state !== 'REBALANCING') throw new InvalidStateStoreException(`KafkaStreams is not running. State is ${state}.`);
    return this.thread;
  }

  private metadataState(): StreamsMetadataState {
    const thread = this.queryableThread();
    return new StreamsMetadataState(this.topology, thread);
  }
}
