/**
 * Executes the command topic in order on this server: on start it replays every command (queries
 * are started once the replay is done), then it polls for new ones. The server that accepted a
 * statement waits here for its command to come back and answers with what it did.
 */
import type { Logger } from '../common/logger.js';
import type { CommandTopic } from './command-topic.js';
import type { Entity } from './entities.js';
import type { KsqlEngine } from './ksql-engine.js';

const POLL_MS = 250;

export type CommandOutcome = { readonly entity: Entity; readonly seq: number } | { readonly error: unknown; readonly seq: number };

export class CommandRunner {
  private position = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly waiters = new Map<string, (outcome: CommandOutcome) => void>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private failing = false;

  constructor(
    private readonly topic: CommandTopic,
    private readonly engine: KsqlEngine,
    private readonly logger: Logger,
  ) {}

  /** Commands applied so far (the next command's sequence number is at least this). */
  get applied(): number {
    return this.position;
  }

  /** Replays the topic, starts the surviving queries, then follows the topic. */
  async start(): Promise<void> {
    await this.topic.ensure();
    await this.serialized(() => this.readToEnd(false));
    await this.engine.startAll();
    this.schedule();
  }

  /** Applies every command written so far (before a statement is checked against the catalog). */
  catchUp(): Promise<void> {
    return this.serialized(() => this.readToEnd(true));
  }

  /** Resolves with the outcome of command `id` once it is applied here (null after `timeoutMs`). */
  outcome(id: string, timeoutMs: number): Promise<CommandOutcome | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        resolve(null);
      }, timeoutMs);
      this.waiters.set(id, (o) => {
        clearTimeout(timer);
        resolve(o);
      });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.chain;
    await this.topic.close();
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.poke(), POLL_MS);
  }

  /** Reads the topic now (a command was just appended) instead of at the next poll. */
  poke(): void {
    if (this.closed) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    void this.serialized(() => this.readToEnd(true)).finally(() => this.schedule());
  }

  /** False while the last read of the command topic failed (ksqlDB's commandRunner health check). */
  get healthy(): boolean {
    return !this.failing && !this.closed;
  }

  private serialized(fn: () => Promise<void>): Promise<void> {
    const next = this.chain
      .then(fn)
      .then(() => {
        this.failing = false;
      })
      .catch((e: unknown) => {
        this.failing = true;
        this.logger.warn(`command topic: ${(e as Error).message}`);
      });
    this.chain = next;
    return next;
  }

  private async readToEnd(start: boolean): Promise<void> {
    const end = await this.topic.endOffset();
    while (this.position < end && !this.closed) {
      const { commands, next } = await this.topic.read(this.position, (m) => this.logger.warn(m));
      if (next === this.position) break;
      for (const { seq, command } of commands) {
        let outcome: CommandOutcome;
        try {
          outcome = { entity: await this.engine.apply(seq, command, start), seq };
        } catch (error) {
          outcome = { error, seq };
          if (this.waiters.get(command.id) === undefined) this.logger.warn(`command ${seq} not applied: ${(error as Error).message}`);
        }
        const waiter = this.waiters.get(command.id);
        this.waiters.delete(command.id);
        waiter?.(outcome);
      }
      this.position = next;
    }
  }
}
