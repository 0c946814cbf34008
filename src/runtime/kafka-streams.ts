import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { Log } from '../log/types.js';
import { openLog } from '../log/open-log.js';
import { tryLock, type HeldLock } from '../log/embedded/locks.js';
import type { Topology } from '../topology/topology.js';
import { type StreamsConfig, type StreamsConfigInput, resolveConfig } from './config.js';
import type { Logger } from './logger.js';
import { StreamThread, type ThreadStatus } from './stream-thread.js';
import { deadLetterTopic } from './error-handling.js';
import { Watchdog } from './watchdog.js';

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
  private appLock: HeldLock | null = null;
  private watchdog: Watchdog | null = null;

  constructor(
    private readonly topology: Topology,
    config: StreamsConfigInput,
    private readonly options: KafkaStreamsOptions = {},
  ) {
    this.config = resolveConfig(config, options.logger);
    this.log = options.log ?? null;
    topology.validate();
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
      if (this.log.kind === 'embedded') await this.lockApplication();
      else await this.lockStateDir();
    } catch (error) {
      if (this.ownsLog) {
        await this.log.close();
        this.log = null;
        this.ownsLog = false;
      }
      throw error;
    }
    this.thread = new StreamThread(this.topology, this.config, this.log, { untilIdle: options.untilIdle });
    if (this.config.recordProcessingTimeoutMs > 0 || this.options.controlFd !== undefined) {
      this.watchdog = Watchdog.start({
        heartbeat: this.thread.heartbeat,
        timeoutMs: this.config.recordProcessingTimeoutMs,
        applicationId: this.config.applicationId,
        stateDir: this.config.stateDir,
        deadLetterTopic: deadLetterTopic(this.config.applicationId),
        policy: this.config.processingPolicy,
        controlFd: this.options.controlFd,
        logger: this.config.logger,
      });
    }
    this.running = this.thread.run().finally(() => this.release());
  }

  /** Only one process may run an application on one embedded data dir. */
  private async lockApplication(): Promise<void> {
    mkdirSync(this.config.stateDir, { recursive: true });
    const key = `${realpathSync(this.config.dataDir)}|${this.config.applicationId}`;
    this.appLock = await tryLock('app', key, join(this.config.stateDir, `${this.config.applicationId}.lock`));
    if (this.appLock === null) {
      throw new Error(`application '${this.config.applicationId}' is already running on data dir ${this.config.dataDir}`);
    }
  }

  /**
   * On Kafka, workers of one application share work through the group but each needs its own
   * state directory: two processes must never open the same task's stores.
   */
  private async lockStateDir(): Promise<void> {
    mkdirSync(this.config.stateDir, { recursive: true });
    const key = `${realpathSync(this.config.stateDir)}|${this.config.applicationId}`;
    this.appLock = await tryLock('state', key, join(this.config.stateDir, `${this.config.applicationId}.lock`));
    if (this.appLock === null) {
      throw new Error(
        `state dir ${this.config.stateDir} is in use by another worker of application '${this.config.applicationId}'; give each worker on this machine its own --state-dir`,
      );
    }
  }

  private async release(): Promise<void> {
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
    this.thread?.stop();
    await this.closed();
  }

  status(): ThreadStatus | null {
    return this.thread?.status() ?? null;
  }

  metrics(): Record<string, number> {
    return this.thread?.metrics.snapshot() ?? {};
  }
}
