/**
 * What a server's commands build: the catalog (a SQL session fed by the command topic, in order)
 * and the persistent queries running in this process. Every server of a service applies the same
 * commands in the same order, so each gets the same catalog and the same query ids; a restarted
 * server replays them all first and then starts the queries still alive at the end.
 */
import type { AnalyzedStatement } from '../sql/analyzer/statement-analyzer.js';
import { SqlSession } from '../sql/session.js';
import { parseAdminStatement } from './admin-statements.js';
import type { Command } from './command-topic.js';
import { currentStatus, type Entity } from './entities.js';
import { PersistentQuery, type QueryRuntimeOptions } from './persistent-query.js';
import type { PullTable } from './sql-tables.js';

function sqlString(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

/** Runs `fn` with the statement's properties SET on the session, then unsets them. */
export function withProperties<T>(session: SqlSession, properties: Readonly<Record<string, string>>, fn: () => T): T {
  const names = Object.keys(properties);
  const before = new Map(session.properties);
  for (const k of names) session.execute(`SET ${sqlString(k)}=${sqlString(properties[k]!)};`);
  try {
    return fn();
  } finally {
    for (const k of names) {
      const old = before.get(k);
      session.execute(old === undefined ? `UNSET ${sqlString(k)};` : `SET ${sqlString(k)}=${sqlString(old)};`);
    }
  }
}

/** Analyzes one statement of a command (a single statement: the first analyzed result). */
export function analyzeCommand(session: SqlSession, command: Command): AnalyzedStatement {
  const out = withProperties(session, command.properties, () => session.execute(command.statement, '<request>'));
  if (out.length !== 1) throw new Error(`expected one statement, got ${out.length}`);
  return out[0]!;
}

/** What a TERMINATE names: one query id, or every running query. */
export function terminatedIds(queryId: string | null, live: Iterable<string>): string[] {
  return queryId === null ? [...live] : [queryId];
}

export class KsqlEngine {
  readonly session = new SqlSession();
  /** CTAS tables served to pull queries, by name (the query listener reads this map). */
  readonly tables = new Map<string, PullTable>();
  private readonly running = new Map<string, PersistentQuery>();
  private readonly history: Command[] = [];

  constructor(private readonly runtime: QueryRuntimeOptions) {}

  queries(): IterableIterator<PersistentQuery> {
    return this.running.values();
  }

  query(id: string): PersistentQuery | undefined {
    return this.running.get(id);
  }

  /** The query serving the pull table `name`. */
  tableQuery(name: string): PersistentQuery | undefined {
    for (const q of this.running.values()) if (q.pullTable?.source.name === name) return q;
    return undefined;
  }

  /**
   * A catalog as it is now, for trying a statement before it goes to the command topic: every
   * command replayed into a fresh session, so that its query ids continue this one's.
   */
  sandbox(): SqlSession {
    const session = new SqlSession();
    const live = new Set<string>();
    for (const c of this.history) {
      try {
        const admin = parseAdminStatement(c.statement);
        if (admin?.kind === 'terminate') {
          for (const id of terminatedIds(admin.queryId, live)) {
            session.terminateQuery(id);
            live.delete(id);
          }
          continue;
        }
        const analyzed = analyzeCommand(session, c);
        if (analyzed.kind === 'query') live.add(analyzed.plan.queryId);
      } catch {
        // Failed here as it failed when it was applied.
      }
    }
    return session;
  }

  /**
   * Applies one command of the topic. `start`: start its query now (false while a restarted server
   * replays, see startAll). Throws what the statement's analysis throws; the catalog is unchanged then.
   */
  async apply(seq: number, command: Command, start: boolean): Promise<Entity> {
    this.history.push(command);
    const text = command.statement;
    const admin = parseAdminStatement(text);
    if (admin?.kind === 'terminate') {
      const ids = terminatedIds(admin.queryId, this.running.keys());
      for (const id of ids) if (!this.running.has(id)) throw new Error(`Unknown queryId: ${id}`);
      for (const id of ids) await this.terminate(id);
      return currentStatus(text, `terminate/${admin.queryId ?? 'ALL'}/execute`, 'Query terminated.', seq);
    }
    const analyzed = analyzeCommand(this.session, command);
    switch (analyzed.kind) {
      case 'createSource': {
        const s = analyzed.source;
        return currentStatus(text, `${s.type.toLowerCase()}/\`${s.name}\`/create`, `${s.type === 'STREAM' ? 'Stream' : 'Table'} created`, seq);
      }
      case 'query': {
        const plan = analyzed.plan;
        // CREATE OR REPLACE: the new query takes the old one's place.
        for (const q of [...this.running.values()]) if (q.plan.sink.name === plan.sink.name && plan.kind !== 'INSERT' && q.plan.kind !== 'INSERT') await this.terminate(q.id);
        const query = new PersistentQuery(analyzed, this.session, command.properties, this.runtime);
        this.running.set(query.id, query);
        if (query.pullTable !== undefined) this.tables.set(query.pullTable.source.name, query.pullTable);
        if (start) await query.start();
        const kind = plan.sink.type.toLowerCase();
        return currentStatus(text, `${kind}/\`${plan.sink.name}\`/create`, `Created query with ID ${query.id}`, seq, query.id);
      }
      case 'drop': {
        const s = analyzed.source;
        if (s === undefined) return currentStatus(text, 'source/unknown/drop', 'Source does not exist.', seq);
        for (const q of [...this.running.values()]) if (q.plan.sink.name === s.name) await this.terminate(q.id);
        this.tables.delete(s.name);
        return currentStatus(text, `${s.type.toLowerCase()}/\`${s.name}\`/drop`, `Source \`${s.name}\` (topic: ${s.topic}) was dropped.`, seq);
      }
      case 'noop':
        return currentStatus(text, 'noop/execute', analyzed.reason, seq);
      default:
        return currentStatus(text, `${analyzed.kind}/execute`, 'Statement executed.', seq);
    }
  }

  private async terminate(id: string): Promise<void> {
    const q = this.running.get(id);
    if (q === undefined) return;
    this.session.terminateQuery(id);
    this.running.delete(id);
    if (q.pullTable !== undefined && this.tables.get(q.pullTable.source.name) === q.pullTable) this.tables.delete(q.pullTable.source.name);
    await q.stop(true);
  }

  /** After a replay: starts every query still alive. */
  async startAll(): Promise<void> {
    for (const q of this.running.values()) await q.start();
  }

  /** Stops this process's queries (they go on in the other servers, and here after a restart). */
  async close(): Promise<void> {
    await Promise.all([...this.running.values()].map((q) => q.stop(false)));
  }
}
