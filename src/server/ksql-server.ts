/**
 * `kstream server`: a ksqlDB-compatible server. Its REST API on one listener (HTTP/1.1 and
 * HTTP/2; TLS with `https://`): `POST /ksql` (statements, see ksql-statements.ts),
 * `POST /inserts-stream`, `GET /info`, `/healthcheck`, `/clusterStatus`, and the query endpoints
 * of the previous issue (`/query-stream`, `/query`, `/close-query`, see listener.ts). Statements
 * that change what runs go through the service's command topic, so every server of one
 * `ksql.service.id` runs the same persistent queries and shares their tasks.
 */
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { Log } from '../log/types.js';
import type { Logger } from '../common/logger.js';
import type { ProcessingLogger } from '../sql/expr/compile.js';
import type { BasicAuth } from './basic-auth.js';
import { CommandRunner } from './command-runner.js';
import { CommandTopic } from './command-topic.js';
import { badRequest, toKsqlError } from './errors.js';
import { InsertsStream } from './inserts-stream.js';
import { KsqlEngine } from './ksql-engine.js';
import { KsqlRequestError, StatementExecutor, type KsqlRequest } from './ksql-statements.js';
import { HealthCheckAgent, topicsCheck } from './health-check.js';
import { QueryListener, dualProtocolServer, readBody, sendJson, type Req, type Res } from './listener.js';

const VERSION = '0.1.0';
export const DEFAULT_SERVICE_ID = 'default_';

export interface KsqlServerOptions {
  /** `http://host:port` or `https://host:port` (port 0: any free port). */
  readonly listener: string;
  readonly log: Log;
  /** ksql.service.id: servers of one id share the command topic and the queries. */
  readonly serviceId: string;
  /** Settings of every persistent query's application (data.dir, state.dir, bootstrap.servers, ...). */
  readonly streamsConfig: Readonly<Record<string, unknown>>;
  readonly logger: Logger;
  /** The processing log of each persistent query (expression errors); default: in memory, bounded. */
  readonly processingLog?: (queryId: string) => ProcessingLogger;
  readonly auth?: BasicAuth;
  /** PEM certificate chain and key of an https listener. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
}

export function parseServerListener(url: string): { secure: boolean; host: string; port: number } {
  const m = /^(https?):\/\/([^/:]+|\[[^\]]+\]):(\d+)\/?$/.exec(url);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--listeners: expected http://host:port or https://host:port, got '${url}'`);
  return { secure: m[1] === 'https', host: m[2]!, port };
}

export class KsqlServer {
  private engine: KsqlEngine | null = null;
  private runner: CommandRunner | null = null;
  private statements: StatementExecutor | null = null;
  private health: HealthCheckAgent | null = null;
  private queries: QueryListener | null = null;
  private inserts: InsertsStream | null = null;
  private ready: Promise<void> = Promise.resolve();
  private closing = false;

  private constructor(
    private readonly options: KsqlServerOptions,
    private readonly http: { close(): void; address(): AddressInfo | string | null; stop(): Promise<void> },
    private readonly secure: boolean,
  ) {}

  /** Listens, replays the command topic and starts its queries; requests wait for the replay. */
  static async start(options: KsqlServerOptions): Promise<KsqlServer> {
    const { secure, host, port } = parseServerListener(options.listener);
    let server: KsqlServer | null = null;
    const handler = (req: Req, res: Res) => void server!.handle(req, res);
    let http: KsqlServer['http'];
    let listen: (cb: () => void) => void;
    let onError: (cb: (e: NodeJS.ErrnoException) => void) => void;
    if (secure) {
      if (options.tls === undefined) throw new Error(`--listeners ${options.listener}: https needs --tls-cert and --tls-key`);
      const h2: Http2SecureServer = createSecureServer({ cert: options.tls.cert, key: options.tls.key, allowHTTP1: true }, handler);
      const sockets = new Set<import('node:net').Socket>();
      h2.on('connection', (s: import('node:net').Socket) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      http = {
        close: () => {
          for (const s of sockets) s.destroy();
        },
        address: () => h2.address(),
        stop: () => new Promise<void>((resolve) => h2.close(() => resolve())),
      };
      listen = (cb) => h2.listen(port, host.replace(/^\[|\]$/g, ''), cb);
      onError = (cb) => h2.once('error', cb);
    } else {
      const dual = dualProtocolServer(handler);
      http = { close: () => dual.close(), address: () => dual.tcp.address(), stop: () => new Promise<void>((resolve) => dual.tcp.close(() => resolve())) };
      listen = (cb) => dual.tcp.listen(port, host.replace(/^\[|\]$/g, ''), cb);
      onError = (cb) => dual.tcp.once('error', cb);
    }
    await new Promise<void>((resolve, reject) => {
      onError((e) => reject(new Error(`--listeners ${options.listener}: ${e.code === 'EADDRINUSE' ? 'address in use' : e.message}`)));
      listen(resolve);
    });
    server = new KsqlServer(options, http, secure);
    server.ready = server.init();
    try {
      await server.ready;
    } catch (e) {
      await server.close();
      throw e;
    }
    return server;
  }

  /** host:port this server listens on (its application.server). */
  get endpoint(): string {
    const a = this.http.address() as AddressInfo;
    const host = parseServerListener(this.options.listener).host;
    return `${host}:${a.port}`;
  }

  get url(): string {
    return `${this.secure ? 'https' : 'http'}://${this.endpoint}`;
  }

  private async init(): Promise<void> {
    const o = this.options;
    const runtime = { log: o.log, serviceId: o.serviceId, config: { ...o.streamsConfig, 'application.server': this.endpoint }, logger: o.logger, ...(o.processingLog !== undefined ? { processingLog: o.processingLog } : {}) };
    const engine = new KsqlEngine(runtime);
    const topic = new CommandTopic(o.log, o.serviceId);
    const runner = new CommandRunner(topic, engine, o.logger);
    this.engine = engine;
    this.runner = runner;
    this.statements = new StatementExecutor({ engine, runner, topic, log: o.log, runtime, properties: { 'ksql.service.id': o.serviceId, ...o.streamsConfig } });
    this.inserts = new InsertsStream(engine, runner, o.log);
    this.queries = QueryListener.handler(
      {
        log: o.log,
        applicationId: o.serviceId,
        logger: o.logger,
        dataDir: String(o.streamsConfig['data.dir'] ?? './.kstream'),
        sql: { session: engine.session, tables: engine.tables },
        streamsFor: (table) => engine.tableQuery(table.source.name)?.application ?? undefined,
      },
      this.endpoint,
    );
    // ksqlDB's checks: a catalog statement runs (metastore), the log answers for the command topic (kafka), the command runner reads it.
    const statements = this.statements;
    this.health = new HealthCheckAgent({
      metastore: async () => (await statements.execute({ ksql: 'LIST STREAMS; LIST TABLES; LIST QUERIES;' })).length === 3,
      kafka: topicsCheck(o.log, () => [topic.topic]),
      commandRunner: () => runner.healthy,
    });
    await runner.start();
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.http.close();
    await this.queries?.close();
    await this.runner?.close();
    await this.engine?.close();
    await this.http.stop();
  }

  private async handle(req: Req, res: Res): Promise<void> {
    try {
      if (this.options.auth !== undefined && !this.options.auth.check(req.headers['authorization'] as string | undefined)) {
        req.resume();
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="KsqlServer"' });
        res.end(JSON.stringify({ '@type': 'generic_error', error_code: 40100, message: 'Unauthorized' }));
        return;
      }
      await this.ready;
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && path === '/info') return sendJson(res, 200, this.info());
      if (req.method === 'GET' && path === '/healthcheck') {
        const report = await this.health!.report();
        return sendJson(res, report.isHealthy ? 200 : 503, report);
      }
      if (req.method === 'GET' && path === '/clusterStatus') return sendJson(res, 200, this.clusterStatus());
      if (req.method === 'POST' && path === '/ksql') return await this.ksql(req, res);
      if (req.method === 'POST' && path === '/inserts-stream') return await this.inserts!.handle(req, res);
      await this.queries!.handle(req, res);
    } catch (error) {
      if (res.headersSent) {
        res.end();
        return;
      }
      if (error instanceof KsqlRequestError) return sendJson(res, error.error.status, error.body());
      const e = toKsqlError(error);
      if (e.status >= 500) this.options.logger.warn(`server: ${e.message}`);
      sendJson(res, e.status, e.body());
    }
  }

  private async ksql(req: Req, res: Res): Promise<void> {
    const body = await readBody(req);
    if (typeof body['ksql'] !== 'string') throw badRequest('Invalid JSON in request body: "ksql" is required');
    const entities = await this.statements!.execute(body as unknown as KsqlRequest);
    const accept = String(req.headers['accept'] ?? '');
    res.writeHead(200, { 'content-type': accept.includes('application/vnd.ksql.v1+json') ? 'application/vnd.ksql.v1+json' : 'application/json' });
    res.end(JSON.stringify(entities));
  }

  private info(): unknown {
    return { KsqlServerInfo: { version: `kstream-${VERSION}`, kafkaClusterId: '', ksqlServiceId: this.options.serviceId, serverStatus: 'RUNNING' } };
  }

  /** This server and every other one running a task of a query, as ksqlDB's /clusterStatus shows them. */
  private clusterStatus(): unknown {
    const now = Date.now();
    const hosts = new Set<string>([this.endpoint]);
    for (const q of this.engine?.queries() ?? []) {
      const app = q.application;
      const store = q.pullTable?.storeName;
      if (app === null || store === undefined) continue;
      try {
        for (const m of app.streamsMetadataForStore(store)) hosts.add(m.hostInfo.toString());
      } catch {
        // Not running here right now.
      }
    }
    const status: Record<string, unknown> = {};
    for (const h of hosts) status[h] = { hostAlive: true, lastStatusUpdateMs: now, activeStandbyPerQuery: {}, hostStoreLags: { stateStoreLags: {}, updateTimeMs: now } };
    return { clusterStatus: status };
  }
}

