/**
 * The HTTP listener of a running application (`kstream run <file> --listeners http://host:port`):
 * ksqlDB's query endpoints on one port, HTTP/2 cleartext (prior knowledge) and HTTP/1.1 alike.
 *
 * - `POST /query-stream` `{"sql", "properties"}`: a header object then rows; newline-delimited
 *   (`application/vnd.ksqlapi.delimited.v1`, the default) or one JSON array (`application/json`).
 * - `POST /query` `{"ksql", "streamsProperties"}`: the older endpoint, a JSON array of
 *   `{"header": ...}` then `{"row": {"columns": [...]}}` chunks.
 * - `POST /close-query` `{"queryId"}`, `GET /info`, `GET /healthcheck`.
 *
 * A pull query for a key another instance owns is forwarded to that instance (its
 * application.server, which is its listener); a scan gathers every instance's rows. A query
 * error is answered in ksqlDB's error shape and never touches the application.
 */
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { Agent, createServer as createHttp1Server, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { KafkaStreams } from '../runtime/kafka-streams.js';
import type { Logger } from '../common/logger.js';
import { parseStatements } from '../sql/parser/parse.js';
import type { SqlSession } from '../sql/session.js';
import { KsqlHttpError, badRequest, statementError, toKsqlError } from './errors.js';
import { planPullQuery, runPullQueryLocally, type PullPlan, type ResultHeader } from './pull-query.js';
import type { PullTable } from './sql-tables.js';
import { PullPlanCache, queryShape, type QueryShape } from './pull-plan-cache.js';
import { planPushQuery, type PushQuery } from './push-query.js';
import type { Log } from '../log/types.js';
import type { Serde } from '../serde/serde.js';
import type { Query } from '../sql/parser/ast.js';
import type { HttpRoute } from './observe/routes.js';
import { recordQueryLatency } from './observe/query-latency.js';
import { HealthCheckAgent, applicationCheck, topicsCheck } from './health-check.js';

const MAX_BODY_BYTES = 1 << 20;
const BODY_TIMEOUT_MS = 10_000;
const FORWARD_TIMEOUT_MS = 10_000;
/** Marks a request forwarded by another instance: answer from local stores only. */
const LOCAL_ONLY = 'x-kstream-pull-local';
const DELIMITED = 'application/vnd.ksqlapi.delimited.v1';
const VERSION = '0.1.0';
/** A client that reads slower than its push query produces is cut off past this much buffered output. */
const MAX_PUSH_BUFFER_BYTES = 16 << 20;
const KEEP_ALIVE_MS = 65_000;

export interface ListenerOptions {
  /** `http://host:port`. */
  readonly listener: string;
  readonly streams?: KafkaStreams;
  /** A server of many applications (`kstream server`): the one serving a pull table (default: `streams`). */
  readonly streamsFor?: (table: PullTable) => KafkaStreams | undefined;
  /** Where push queries keep their state (default: the application's data dir). */
  readonly dataDir?: string;
  /** The log the application runs on: push queries run next to it, on the same log. */
  readonly log: Log;
  readonly applicationId: string;
  /** The SQL file behind the application (absent for TypeScript topologies: no SQL queries). */
  readonly sql?: { readonly session: SqlSession; readonly tables: ReadonlyMap<string, PullTable> };
  /** The topics the application reads: /healthcheck's kafka check asks the log for them. */
  readonly sourceTopics?: readonly string[];
  /** How long a /healthcheck answer is reused (ksqlDB's `ksql.healthcheck.interval.ms`; default 5000). */
  readonly healthcheckIntervalMs?: number;
  readonly logger: Logger;
}

export type Req = Http2ServerRequest | IncomingMessage;
export type Res = Http2ServerResponse | ServerResponse;

/** The start of HTTP/2's connection preface: a client speaking HTTP/2 with prior knowledge. */
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0');

/**
 * One port for both protocols (Node's cleartext HTTP/2 server has no HTTP/1.1 fallback): the first
 * bytes of a connection choose the server that takes it.
 */
export function dualProtocolServer(handler: (req: Req, res: Res) => void): { tcp: Server; close(): void } {
  const h2 = createHttp2Server({}, handler);
  // Idle keep-alive connections stay open longer than clients keep them (undici: 4 s), so a
  // client never sends a request on a connection the server is closing at that moment.
  const h1 = createHttp1Server({ keepAliveTimeout: KEEP_ALIVE_MS }, handler);
  const sockets = new Set<Socket>();
  const tcp = createTcpServer((socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.once('readable', () => {
      const head: Buffer | null = socket.read(Math.min(H2_PREFACE.length, socket.readableLength));
      if (head === null) {
        socket.destroy();
        return;
      }
      socket.unshift(head);
      (head.equals(H2_PREFACE.subarray(0, head.length)) ? h2 : h1).emit('connection', socket);
    });
    socket.on('error', () => socket.destroy());
  });
  return {
    tcp,
    close() {
      h2.close();
      h1.close();
      for (const s of sockets) s.destroy();
    },
  };
}

interface QueryResult {
  readonly queryId: string;
  readonly header: ResultHeader;
  readonly rows: unknown[][];
}

export function parseListener(url: string): { host: string; port: number } {
  const m = /^http:\/\/([^/:]+|\[[^\]]+\]):(\d+)\/?$/.exec(url);
  const port = m === null ? NaN : Number(m[2]);
  if (m === null || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`--listeners: expected http://host:port, got '${url}'`);
  }
  return { host: m[1]!, port };
}

export async function readBody(req: Req): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(badRequest(`request body not received within ${BODY_TIMEOUT_MS} ms`)), BODY_TIMEOUT_MS);
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        clearTimeout(timer);
        reject(badRequest(`request body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      clearTimeout(timer);
      resolve();
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw badRequest('Invalid JSON in request body');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('Invalid JSON in request body: expected an object');
  return body as Record<string, unknown>;
}

export function sendJson(res: Res, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(text);
}

export class QueryListener {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 32 });
  private readonly pushQueries = new Map<string, PushQuery>();
  private readonly pullPlans = new PullPlanCache();
  private readonly health: HealthCheckAgent;

  private readonly routes: Array<{ route: HttpRoute; close?: () => Promise<void> }> = [];

  private constructor(
    private readonly server: { tcp: Server; close(): void } | null,
    private readonly options: ListenerOptions,
    /** host:port of this listener, as in application.server. */
    readonly endpoint: string,
  ) {
    // ksqlDB's checks, for a running application: its queries run (metastore), its log answers for its topics (kafka).
    this.health = new HealthCheckAgent({
      metastore: applicationCheck(() => this.app()),
      kafka: topicsCheck(options.log, () => options.sourceTopics ?? []),
    }, options.healthcheckIntervalMs);
  }

  static async start(options: ListenerOptions): Promise<QueryListener> {
    const { host, port } = parseListener(options.listener);
    let listener: QueryListener | null = null;
    const server = dualProtocolServer((req, res) => {
      void listener!.handle(req, res);
    });
    listener = new QueryListener(server, options, `${host}:${port}`);
    await new Promise<void>((resolve, reject) => {
      server.tcp.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`--listeners ${options.listener}: ${e.code === 'EADDRINUSE' ? 'address in use' : e.message}`)));
      server.tcp.listen(port, host.replace(/^\[|\]$/g, ''), () => resolve());
    });
    return listener;
  }

  /** Serves more endpoints (e.g. observe/routes.ts: /metrics, /healthz, /readyz, /console) before the query API. */
  mount(route: HttpRoute, close?: () => Promise<void>): void {
    this.routes.push({ route, ...(close !== undefined ? { close } : {}) });
  }

  async close(): Promise<void> {
    for (const r of this.routes) await r.close?.();
    this.agent.destroy();
    await Promise.all([...this.pushQueries.values()].map((q) => q.close()));
    if (this.server === null) return;
    this.server.close();
    const server = this.server;
    await new Promise<void>((resolve) => server.tcp.close(() => resolve()));
  }

  /** The query endpoints without a port of their own: another server hands their requests to `handle`. */
  static handler(options: Omit<ListenerOptions, 'listener'>, endpoint: string): QueryListener {
    return new QueryListener(null, { ...options, listener: `http://${endpoint}` }, endpoint);
  }

  /** The application behind `table` (or the only one). */
  private app(table?: PullTable): KafkaStreams {
    const streams = table !== undefined && this.options.streamsFor !== undefined ? this.options.streamsFor(table) : this.options.streams;
    if (streams === undefined) throw new KsqlHttpError(503, 50300, table === undefined ? 'no application runs here' : `${table.source.name} is not served by a query running here`);
    return streams;
  }

  async handle(req: Req, res: Res): Promise<void> {
    const started = performance.now();
    let sql: string | undefined;
    try {
      const path = (req.url ?? '/').split('?')[0];
      for (const r of this.routes) if (r.route(req, res)) return;
      if (req.method === 'GET' && path === '/info') return sendJson(res, 200, this.info());
      if (req.method === 'GET' && path === '/healthcheck') {
        const report = await this.health.report();
        return sendJson(res, report.isHealthy ? 200 : 503, report);
      }
      if (req.method !== 'POST') throw new KsqlHttpError(404, 40400, `no endpoint ${req.method} ${path}`);
      const body = await readBody(req);
      if (path === '/close-query') {
        const id = body['queryId'];
        const q = typeof id === 'string' ? this.pushQueries.get(id) : undefined;
        if (q === undefined) throw badRequest(typeof id === 'string' ? `No query with id ${id}` : 'Invalid JSON in request body: queryId is required');
        await q.close();
        res.writeHead(200);
        res.end();
        return;
      }
      if (path !== '/query-stream' && path !== '/query') throw new KsqlHttpError(404, 40400, `no endpoint POST ${path}`);
      const field = path === '/query' ? 'ksql' : 'sql';
      sql = typeof body[field] === 'string' ? (body[field] as string) : undefined;
      if (sql === undefined) throw badRequest(`Invalid JSON in request body: "${field}" is required`);
      const shape = this.options.sql === undefined ? null : queryShape(sql);
      const cached = shape === null ? undefined : this.pullPlans.lookup(shape);
      const query = cached === undefined ? this.parseSelect(sql) : null;
      if (query !== null && query.emit !== undefined) {
        const props = body[path === '/query' ? 'streamsProperties' : 'properties'];
        await this.push(res, path, String(req.headers['accept'] ?? ''), query, sql, typeof props === 'object' && props !== null ? (props as Record<string, unknown>) : {});
        recordQueryLatency('push', performance.now() - started);
        return;
      }
      const plan = cached ?? this.planPull(query!, sql, shape);
      const result = await this.pull(plan, sql, req.headers[LOCAL_ONLY] !== undefined);
      if (path === '/query') this.sendLegacy(res, result);
      else this.sendStream(res, result, String(req.headers['accept'] ?? ''));
      recordQueryLatency('pull', performance.now() - started);
    } catch (error) {
      const e = toKsqlError(error, sql);
      if (e.status >= 500 && e.errorCode !== 50300) this.options.logger.warn(`listener: ${e.message}`);
      if (!res.headersSent) sendJson(res, e.status, e.body());
      else res.end();
    }
  }

  private info(): unknown {
    const state = this.app().state();
    return { KsqlServerInfo: { version: `kstream-${VERSION}`, kafkaClusterId: '', ksqlServiceId: this.options.applicationId, serverStatus: state === 'RUNNING' ? 'RUNNING' : state === 'ERROR' ? 'ERROR' : 'DEGRADED' } };
  }

  private session(sql: string): SqlSession {
    const session = this.options.sql?.session;
    if (session === undefined) throw statementError('This application was not built from SQL: it has no streams or tables to query.', sql);
    return session;
  }

  private parseSelect(sql: string): Query {
    this.session(sql);
    const statements = parseStatements(sql, { file: '<request>' });
    if (statements.length !== 1) throw statementError(`Expected exactly one statement, got ${statements.length}.`, sql);
    const st = statements[0]!;
    if (st.kind !== 'SelectQuery') throw statementError('Only SELECT queries are accepted here (statements go to /ksql, which this listener does not serve).', sql, st.pos);
    return st.query;
  }

  /**
   * Streams a push query's rows until its LIMIT, /close-query, or the client going away. The
   * header is sent once the query reads its inputs: rows produced after it are never missed.
   */
  private async push(res: Res, path: string, accept: string, query: Query, sql: string, properties: Record<string, unknown>): Promise<void> {
    if (query.emit === 'FINAL' && query.window === undefined) throw statementError('EMIT FINAL is only supported for windowed aggregations.', sql, query.pos);
    const queryId = `transient_${query.from.name}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const legacy = path === '/query';
    const json = legacy || accept.includes('application/json');
    let sent = 0;
    const fromEnd = properties['auto.offset.reset'] !== 'earliest';
    /** Rows that come while the query starts (a table's current rows) wait for the header here. */
    let early: string[] | null = [];
    let earlyBytes = 0;
    /** Set once the response should end (LIMIT, /close-query, the client gone): its final message. */
    let ending: string | null = null;
    let ended = false;
    const write = (text: string) => {
      if (early !== null) {
        early.push(text);
        earlyBytes += text.length;
      } else if (!ended && !res.writableEnded && !res.destroyed) {
        (res as ServerResponse).write(text);
      }
    };
    const end = () => {
      if (ended) return;
      ended = true;
      if (!res.destroyed && !res.writableEnded) {
        if (legacy) (res as ServerResponse).write(`,\n${JSON.stringify({ finalMessage: ending ?? 'Query closed' })}]\n`);
        else if (json) (res as ServerResponse).write(']');
        res.end();
      }
      void q.close().finally(() => this.pushQueries.delete(queryId));
    };
    const finish = (finalMessage: string) => {
      if (ending !== null) return;
      ending = finalMessage;
      if (early === null) end();
    };
    const q = planPushQuery({
      session: this.session(sql),
      log: this.options.log,
      applicationId: this.options.applicationId,
      dataDir: this.options.dataDir ?? this.app().config.dataDir,
      queryId,
      query,
      sql,
      properties,
      logger: this.options.logger,
      onRow: (row) => {
        // From the end of the inputs (the default), what a table already holds is not a change.
        if (ending !== null || (early !== null && fromEnd)) return;
        if (legacy) write(`,\n${JSON.stringify({ row: { columns: row } })}`);
        else if (json) write(`,${JSON.stringify(row)}`);
        else write(`${JSON.stringify(row)}\n`);
        if (q.limit !== undefined && ++sent >= q.limit) finish('Limit Reached');
        else if (res.writableLength + earlyBytes > MAX_PUSH_BUFFER_BYTES) finish('Client too slow: query closed');
      },
    });
    this.pushQueries.set(queryId, q);
    res.on('close', () => {
      if (early !== null) ending ??= 'Client went away';
      else finish('Client went away');
    });
    try {
      await q.start();
    } catch (e) {
      this.pushQueries.delete(queryId);
      await q.close();
      throw e;
    }
    if (res.destroyed) {
      ended = true;
      await q.close();
      this.pushQueries.delete(queryId);
      return;
    }
    res.writeHead(200, { 'content-type': json ? 'application/json' : DELIMITED });
    const header = { queryId, columnNames: q.header.columnNames, columnTypes: q.header.columnTypes };
    const rows = early;
    early = null;
    if (legacy) write(`[${JSON.stringify({ header: { queryId, schema: q.header.schema } })}`);
    else if (json) write(`[${JSON.stringify(header)}`);
    else write(`${JSON.stringify(header)}\n`);
    for (const r of rows) write(r);
    if (q.limit === 0) ending ??= 'Limit Reached';
    if (ending !== null) {
      end();
      return;
    }
    void q.stopped.then(
      () => finish('Query stopped'),
      (e: unknown) => {
        this.options.logger.warn(`push query ${queryId} failed: ${(e as Error).message}`);
        finish('Query failed');
      },
    );
  }

  private planPull(query: Query, sql: string, shape: QueryShape | null): PullPlan {
    const plan = planPullQuery(this.session(sql), this.options.sql!.tables, query, sql);
    if (shape !== null) this.pullPlans.remember(shape, plan);
    return plan;
  }

  private async pull(plan: PullPlan, sql: string, localOnly: boolean): Promise<QueryResult> {
    const queryId = `transient_${plan.table.source.name}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const rows = localOnly ? await runPullQueryLocally(this.app(plan.table), plan) : await this.routedPull(sql, plan);
    return { queryId, header: plan.header, rows };
  }

  /** Local rows, the owners' for the keys a query reads, or every instance's for a scan. */
  private async routedPull(sql: string, plan: PullPlan): Promise<unknown[][]> {
    const streams = this.app(plan.table);
    const hosts = this.keyOwners(plan, streams) ?? new Set([this.endpoint, ...streams.streamsMetadataForStore(plan.table.storeName).map((m) => m.hostInfo.toString())]);
    const others = [...hosts].filter((h) => h !== this.endpoint);
    if (others.length === 0) return runPullQueryLocally(streams, plan);
    const parts = await Promise.all([hosts.has(this.endpoint) ? runPullQueryLocally(streams, plan) : [], ...others.map((h) => this.forward(h, sql))]);
    const rows = parts.flat();
    return plan.limit === undefined ? rows : rows.slice(0, plan.limit);
  }

  /** The instances that own the keys a query reads (this one where unknown), or null for a query that reads no given keys. */
  private keyOwners(plan: PullPlan, streams: KafkaStreams): Set<string> | null {
    const access = plan.access;
    if (access.kind !== 'keys' && access.kind !== 'windowKeys') return null;
    // A windowed key goes to the partition of its inner key (Kafka Streams' WindowedStreamPartitioner).
    const serde = plan.table.keySerde as Serde<unknown> & { inner?: Serde<unknown> };
    const partitioning = access.kind === 'windowKeys' && serde.inner !== undefined ? serde.inner : serde;
    const owners = new Set<string>();
    for (const key of access.keys) {
      const md = streams.queryMetadataForKey(plan.table.storeName, key, partitioning);
      owners.add(md === null || md.partition < 0 ? this.endpoint : md.activeHost.toString());
    }
    return owners;
  }

  /** Runs the query on another instance against its local stores. */
  private forward(endpoint: string, sql: string): Promise<unknown[][]> {
    const payload = JSON.stringify({ sql, properties: {} });
    return new Promise((resolve, reject) => {
      const req = request(
        `http://${endpoint}/query-stream`,
        {
          method: 'POST',
          agent: this.agent,
          timeout: FORWARD_TIMEOUT_MS,
          headers: { 'content-type': 'application/json', accept: 'application/json', [LOCAL_ONLY]: '1', 'content-length': Buffer.byteLength(payload) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            try {
              const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
              if (res.statusCode !== 200 || !Array.isArray(body)) {
                const b = body as { error_code?: number; message?: string };
                reject(new KsqlHttpError(res.statusCode ?? 502, b.error_code ?? 50000, `${endpoint}: ${b.message ?? 'unexpected answer'}`));
                return;
              }
              resolve(body.slice(1) as unknown[][]);
            } catch (e) {
              reject(new KsqlHttpError(502, 50000, `${endpoint}: ${(e as Error).message}`));
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new KsqlHttpError(504, 50000, `${endpoint} did not answer within ${FORWARD_TIMEOUT_MS} ms`)));
      req.on('error', (e) => reject(e instanceof KsqlHttpError ? e : new KsqlHttpError(503, 50300, `${endpoint} is not reachable: ${e.message}`)));
      req.end(payload);
    });
  }

  private sendStream(res: Res, r: QueryResult, accept: string): void {
    const header = { queryId: r.queryId, columnNames: r.header.columnNames, columnTypes: r.header.columnTypes };
    if (accept.includes('application/json')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify([header, ...r.rows]));
      return;
    }
    res.writeHead(200, { 'content-type': DELIMITED });
    let out = `${JSON.stringify(header)}\n`;
    for (const row of r.rows) out += `${JSON.stringify(row)}\n`;
    res.end(out);
  }

  private sendLegacy(res: Res, r: QueryResult): void {
    res.writeHead(200, { 'content-type': 'application/json' });
    const parts = [JSON.stringify({ header: { queryId: r.queryId, schema: r.header.schema } }), ...r.rows.map((columns) => JSON.stringify({ row: { columns } }))];
    res.end(`[${parts.join(',\n')}]\n`);
  }
}
