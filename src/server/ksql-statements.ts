/**
 * `POST /ksql`: the statements of one request, in order, as ksqlDB's server runs them.
 * - SHOW/LIST, DESCRIBE, EXPLAIN answer from this server's catalog and queries.
 * - SET/UNSET and DEFINE/UNDEFINE apply to the rest of the request (the CLI keeps them for the
 *   session and sends them with every request, as `streamsProperties` and `sessionVariables`).
 * - INSERT ... VALUES writes its record from this server.
 * - CREATE, DROP, CSAS/CTAS, INSERT INTO ... SELECT, TERMINATE and CREATE/DROP TYPE are tried on a
 *   copy of the catalog, their topics created, then appended to the command topic; the answer
 *   comes once this server applied them (every server of the service applies them too).
 * A statement that fails stops the request: the error says where, with the entities before it.
 */
import { randomUUID } from 'node:crypto';
import type { Log } from '../log/types.js';
import { SqlError } from '../sql/errors.js';
import { parseStatements } from '../sql/parser/parse.js';
import type { Statement } from '../sql/parser/ast.js';
import { planScript } from '../sql/planner/script.js';
import type { SqlSession } from '../sql/session.js';
import { parseAdminStatement, type AdminStatement } from './admin-statements.js';
import type { CommandRunner } from './command-runner.js';
import type { Command, CommandTopic } from './command-topic.js';
import { queriesEntity, queryDescription, sourceDescription, sourceSummary, type Entity } from './entities.js';
import { KsqlHttpError, statementError } from './errors.js';
import { analyzeCommand, type KsqlEngine } from './ksql-engine.js';
import { PersistentQuery, type QueryRuntimeOptions } from './persistent-query.js';
import { splitStatements, substituteVariables, type StatementText } from './statement-text.js';
import { createScriptTopics, insertRecords } from './topic-preparation.js';

const COMMAND_TIMEOUT_MS = 60_000;
const MAX_STATEMENTS = 1_000;

export interface KsqlRequest {
  readonly ksql: string;
  readonly streamsProperties?: Readonly<Record<string, unknown>>;
  readonly sessionVariables?: Readonly<Record<string, unknown>>;
}

/** A request that failed at one statement: the error, and the entities of the statements before it. */
export class KsqlRequestError extends Error {
  constructor(
    readonly error: KsqlHttpError,
    readonly entities: Entity[],
  ) {
    super(error.message);
  }

  body(): Record<string, unknown> {
    return { ...this.error.body(), entities: this.entities };
  }
}

export interface StatementServices {
  readonly engine: KsqlEngine;
  readonly runner: CommandRunner;
  readonly topic: CommandTopic;
  readonly log: Log;
  readonly runtime: QueryRuntimeOptions;
  /** Server settings shown by SHOW PROPERTIES. */
  readonly properties: Readonly<Record<string, unknown>>;
}

function stringMap(o: Readonly<Record<string, unknown>> | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (o === undefined || o === null) return out;
  if (typeof o !== 'object' || Array.isArray(o)) throw new KsqlHttpError(400, 40000, `Invalid JSON in request body: ${what} must be an object`);
  for (const [k, v] of Object.entries(o)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

/** A SqlError of one statement, positioned in the whole request (ksqlDB's `line L:C: message`). */
function positioned(e: unknown, st: StatementText): KsqlHttpError {
  if (e instanceof KsqlHttpError) return e;
  if (e instanceof SqlError) {
    const line = st.line + e.pos.line - 1;
    const column = e.pos.line === 1 ? st.column + e.pos.column - 1 : e.pos.column;
    return statementError(e.detail, st.text, { line, column });
  }
  return new KsqlHttpError(400, 40001, e instanceof Error ? e.message : String(e), 'statement_error', st.text);
}

export class StatementExecutor {
  /** Statements that change the catalog go through here one at a time. */
  private lock: Promise<unknown> = Promise.resolve();

  constructor(private readonly services: StatementServices) {}

  async execute(request: KsqlRequest): Promise<Entity[]> {
    if (typeof request.ksql !== 'string') throw new KsqlHttpError(400, 40000, 'Invalid JSON in request body: "ksql" is required');
    const properties = stringMap(request.streamsProperties, 'streamsProperties');
    const variables = new Map(Object.entries(stringMap(request.sessionVariables, 'sessionVariables')).map(([k, v]) => [k.toLowerCase(), v]));
    const { statements, rest } = splitStatements(request.ksql);
    const all = rest === '' ? statements : [...statements, { text: `${rest};`, ...lineColumnOf(request.ksql, rest) }];
    if (all.length > MAX_STATEMENTS) throw new KsqlHttpError(400, 40000, `at most ${MAX_STATEMENTS} statements per request`);
    const entities: Entity[] = [];
    for (const raw of all) {
      try {
        const text = substituteVariables(raw.text, variables);
        const entity = await this.one({ ...raw, text }, properties, variables);
        if (entity !== null) entities.push(entity);
      } catch (e) {
        throw new KsqlRequestError(positioned(e, raw), entities);
      }
    }
    return entities;
  }

  private async one(st: StatementText, properties: Record<string, string>, variables: Map<string, string>): Promise<Entity | null> {
    const admin = parseAdminStatement(st.text);
    if (admin !== null) return this.admin(admin, st.text, properties, variables);
    const parsed = parseStatements(st.text, { file: '<request>' });
    if (parsed.length !== 1) throw new SqlError(`Expected exactly one statement, got ${parsed.length}.`, { line: 1, column: 1, offset: 0 });
    const statement = parsed[0]!;
    switch (statement.kind) {
      case 'SetProperty':
        properties[statement.name] = statement.value;
        return null;
      case 'UnsetProperty':
        delete properties[statement.name];
        return null;
      case 'SelectQuery':
        throw new SqlError("The following statement types should be issued to the websocket endpoint '/query':\n\t* PRINT\n\t* SELECT", statement.pos);
      case 'InsertValues':
        return this.insertValues(st.text, statement, properties);
      default:
        return this.command(st.text, properties);
    }
  }

  private async admin(a: AdminStatement, text: string, properties: Record<string, string>, variables: Map<string, string>): Promise<Entity | null> {
    const { engine } = this.services;
    switch (a.kind) {
      case 'define':
        variables.set(a.name, a.value);
        return null;
      case 'undefine':
        variables.delete(a.name);
        return null;
      case 'terminate':
        await this.services.runner.catchUp();
        if (a.queryId !== null && engine.query(a.queryId) === undefined) throw new Error(`Unknown queryId: ${a.queryId}`);
        return this.command(text, properties);
      case 'runScript':
        throw new Error('RUN SCRIPT is a CLI command: the CLI reads the file and sends its statements.');
      case 'print':
        throw new Error(`PRINT is not supported by this server: read the topic with \`kstream consume ${a.topic}\`.`);
      default:
        break;
    }
    await this.services.runner.catchUp();
    const sources = engine.session.metastore.all();
    switch (a.kind) {
      case 'list':
        return this.list(a, text, properties, variables);
      case 'describe': {
        const s = engine.session.metastore.get(a.name);
        if (s === undefined) throw new Error(`Could not find STREAM/TABLE '${a.name}' in the Metastore`);
        return { '@type': 'sourceDescription', statementText: text, sourceDescription: sourceDescription(s, engine.queries(), a.extended, await this.partitions(s.topic)), warnings: [] };
      }
      case 'describeAll': {
        const type = a.what === 'STREAMS' ? 'STREAM' : 'TABLE';
        const descriptions = [];
        for (const s of sources.filter((x) => x.type === type)) descriptions.push(sourceDescription(s, engine.queries(), a.extended, await this.partitions(s.topic)));
        return { '@type': 'source_descriptions', statementText: text, sourceDescriptions: descriptions, warnings: [] };
      }
      case 'explainQuery': {
        const q = engine.query(a.queryId);
        if (q === undefined) throw new Error(`Query with id:${a.queryId} does not exist, use SHOW QUERIES to view the full set of running queries.`);
        return { '@type': 'queryDescription', statementText: text, queryDescription: queryDescription(q), warnings: [] };
      }
      case 'explainStatement': {
        const analyzed = analyzeCommand(engine.sandbox(), { id: '', statement: a.statement, properties });
        if (analyzed.kind !== 'query') throw new Error('EXPLAIN takes a query id or a CREATE ... AS SELECT / INSERT INTO ... SELECT statement.');
        const preview = new PersistentQuery(analyzed, engine.session, properties, this.services.runtime);
        return { '@type': 'queryDescription', statementText: text, queryDescription: { ...queryDescription(preview), state: 'UNKNOWN' }, warnings: [] };
      }
    }
  }

  private async list(a: Extract<AdminStatement, { kind: 'list' }>, text: string, properties: Record<string, string>, variables: Map<string, string>): Promise<Entity> {
    const { engine } = this.services;
    const sources = engine.session.metastore.all();
    switch (a.what) {
      case 'STREAMS':
      case 'TABLES': {
        const type = a.what === 'STREAMS' ? 'STREAM' : 'TABLE';
        const chosen = sources.filter((s) => s.type === type);
        if (a.extended) {
          const descriptions = [];
          for (const s of chosen) descriptions.push(sourceDescription(s, engine.queries(), true, await this.partitions(s.topic)));
          return { '@type': 'source_descriptions', statementText: text, sourceDescriptions: descriptions, warnings: [] };
        }
        return { '@type': a.what.toLowerCase(), statementText: text, [a.what.toLowerCase()]: chosen.map(sourceSummary), warnings: [] };
      }
      case 'QUERIES':
        return queriesEntity(text, engine.queries());
      case 'TOPICS': {
        const admin = this.services.log.admin();
        const names = (await admin.listTopics()).filter((t) => a.all || !t.startsWith('_')).sort();
        const described = await admin.describeTopics(names);
        const topics = names.map((name) => ({ name, replicaInfo: new Array(described.get(name)?.partitions ?? 0).fill(1) }));
        return { '@type': 'kafka_topics', statementText: text, topics, warnings: [] };
      }
      case 'PROPERTIES': {
        const all = { ...Object.fromEntries(Object.entries(this.services.properties).map(([k, v]) => [k, String(v)])), ...properties };
        const list = Object.entries(all)
          .sort(([x], [y]) => x.localeCompare(y))
          .map(([name, value]) => ({ name, scope: name.startsWith('ksql.streams.') || !name.startsWith('ksql.') ? 'STREAMS' : 'KSQL', value }));
        return { '@type': 'properties', statementText: text, properties: list, overwrittenProperties: Object.keys(properties), defaultProperties: [], warnings: [] };
      }
      case 'VARIABLES':
        return { '@type': 'variables', statementText: text, variables: [...variables].map(([name, value]) => ({ name, value })), warnings: [] };
      case 'TYPES':
        return { '@type': 'type_list', statementText: text, types: Object.fromEntries([...engine.session.metastore.types.keys()].map((n) => [n, {}])), warnings: [] };
    }
  }

  private async partitions(topic: string): Promise<number | undefined> {
    return (await this.services.log.admin().describeTopics([topic])).get(topic)?.partitions;
  }

  private async insertValues(text: string, statement: Statement, properties: Record<string, string>): Promise<Entity | null> {
    await this.services.runner.catchUp();
    const session: SqlSession = this.services.engine.session;
    const analyzed = analyzeCommand(session, { id: '', statement: text, properties });
    const script = planScript([analyzed]);
    const partitions = await createScriptTopics(script, this.services.log);
    const missing = script.inserts.find((i) => !partitions.has(i.record.topic));
    if (missing !== undefined) throw new SqlError(`Topic '${missing.record.topic}' does not exist.`, statement.pos);
    await this.services.log.append(insertRecords(script, partitions, Date.now()));
    return null;
  }

  /** A statement for the command topic: tried, its topics created, appended, and applied here. */
  private command(text: string, properties: Record<string, string>): Promise<Entity> {
    const run = this.lock.then(async () => {
      const { engine, runner, topic } = this.services;
      await runner.catchUp();
      const command: Command = { id: randomUUID(), statement: text, properties: { ...properties } };
      let deleted: readonly string[] = [];
      if (parseAdminStatement(text) === null) {
        const script = planScript([analyzeCommand(engine.sandbox(), command)]);
        await createScriptTopics(script, this.services.log);
        deleted = script.deletedTopics;
      }
      // Waiting starts before the append: the runner may apply the command before append() returns.
      const applied = runner.outcome(command.id, COMMAND_TIMEOUT_MS);
      await topic.append(command, command.id);
      runner.poke();
      const outcome = await applied;
      if (outcome === null) throw new KsqlHttpError(500, 50000, `Timed out after ${COMMAND_TIMEOUT_MS} ms waiting for the command to be applied: ${text}`);
      if ('error' in outcome) throw outcome.error;
      if (deleted.length > 0) {
        const existing = await this.services.log.admin().describeTopics(deleted);
        if (existing.size > 0) await this.services.log.admin().deleteTopics([...existing.keys()]);
      }
      return outcome.entity;
    });
    this.lock = run.catch(() => undefined);
    return run;
  }
}

function lineColumnOf(text: string, rest: string): { line: number; column: number } {
  const before = text.slice(0, text.lastIndexOf(rest)).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}
