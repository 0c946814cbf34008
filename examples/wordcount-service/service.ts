// The wordcount application serving its counts over HTTP with interactive queries (Kafka Streams'
// WordCountInteractiveQueriesExample, in kstream). Run one process per worker; each serves
//   GET /counts/<word>   the count of one word, answered by whichever worker owns the word
//                        (requests for words owned elsewhere are forwarded to the owner)
//   GET /counts          every word's count, gathered from all workers
//   GET /local/counts    the counts this worker holds (what /counts gathers)
// Usage: npx tsx examples/wordcount-service/service.ts --port 7071 [--brokers host:9092] [--data-dir d] [--state-dir d]
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import {
  InvalidStateStoreException,
  KafkaStreams,
  QueryableStoreTypes,
  Serdes,
  StoreQueryParameters,
  consoleLogger,
  type ReadOnlyKeyValueView,
  type StreamsConfigInput,
  type Topology,
} from 'kstream';
import wordcount from '../wordcount/wordcount.js';

const STORE = 'counts-store';
const FORWARDED = 'x-kstream-forwarded';
const FORWARD_TIMEOUT_MS = 5_000;
/** Forwarded requests reuse connections to the other workers. */
const agent = new Agent({ keepAlive: true, maxSockets: 16 });

export interface WordcountService {
  readonly streams: KafkaStreams;
  /** http://host:port of this worker (its application.server). */
  readonly url: string;
  close(): Promise<void>;
}

export interface ServiceOptions {
  readonly host?: string;
  /** 0: any free port. */
  readonly port: number;
  /** Kafka Streams settings (application.server is set from host and port). */
  readonly config: StreamsConfigInput;
  /** Defaults to the wordcount example's topology. */
  readonly topology?: Topology;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...(status === 503 ? { 'retry-after': '1' } : {}) });
  res.end(text);
}

/** GET `http://<endpoint><path>` marked as forwarded (a worker never forwards a forwarded request again). */
function get(endpoint: string, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(`http://${endpoint}${path}`, { agent, headers: { [FORWARDED]: '1' }, timeout: FORWARD_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 502, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        } catch (e) {
          reject(e);
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${endpoint} within ${FORWARD_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}

async function localCounts(store: ReadOnlyKeyValueView<string, number>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for await (const [word, count] of store.all()) out[word] = count;
  return out;
}

export async function startWordcountService(options: ServiceOptions): Promise<WordcountService> {
  const host = options.host ?? '127.0.0.1';
  let self = '';
  let started: KafkaStreams | null = null;
  const app = (): KafkaStreams => {
    if (started === null) throw new InvalidStateStoreException('the application is starting');
    return started;
  };
  const counts = () => app().store(StoreQueryParameters.fromNameAndType(STORE, QueryableStoreTypes.keyValueStore<string, number>()));

  async function countOf(word: string, forwarded: boolean): Promise<{ status: number; body: unknown }> {
    const owner = app().queryMetadataForKey(STORE, word, Serdes.String());
    if (owner === null || owner.partition < 0) throw new InvalidStateStoreException('the owner of this word is not known yet (rebalancing)');
    const endpoint = owner.activeHost.toString();
    if (endpoint !== self) {
      if (forwarded) throw new HttpError(409, `word '${word}' is owned by ${endpoint}, not ${self}`);
      return get(endpoint, `/counts/${encodeURIComponent(word)}`);
    }
    const count = counts().get(word);
    if (count === null) throw new HttpError(404, `no count for '${word}'`);
    return { status: 200, body: { word, count, host: self } };
  }

  async function allCounts(): Promise<Record<string, number>> {
    const merged: Record<string, number> = {};
    for (const m of app().streamsMetadataForStore(STORE)) {
      const endpoint = m.hostInfo.toString();
      const part = endpoint === self ? await localCounts(counts()) : await get(endpoint, '/local/counts').then((r) => {
        if (r.status !== 200) throw new HttpError(r.status, `${endpoint}: ${JSON.stringify(r.body)}`);
        return r.body as Record<string, number>;
      });
      Object.assign(merged, part);
    }
    return merged;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method !== 'GET') throw new HttpError(405, 'only GET is served');
    if (path === '/counts') return send(res, 200, await allCounts());
    if (path === '/local/counts') return send(res, 200, await localCounts(counts()));
    const m = /^\/counts\/([^/]+)$/.exec(path);
    if (m !== null) {
      const r = await countOf(decodeURIComponent(m[1]!), req.headers[FORWARDED] !== undefined);
      return send(res, r.status, r.body);
    }
    throw new HttpError(404, `no such path: ${path}`);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : error instanceof InvalidStateStoreException ? 503 : 500;
      send(res, status, { error: error instanceof Error ? error.message : String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  // The port is known once listening (port 0 picks one); the group learns it as application.server.
  self = `${host}:${(server.address() as { port: number }).port}`;
  try {
    started = new KafkaStreams(options.topology ?? wordcount(), { ...options.config, 'application.server': self });
    await started.start();
  } catch (e) {
    server.close();
    throw e;
  }
  const streams = started;
  return {
    streams,
    url: `http://${self}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await streams.close();
    },
  };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const port = Number(arg('port') ?? 7071);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`--port: expected a port number, got '${arg('port')}'`);
  const config: StreamsConfigInput = { 'application.id': 'streams-wordcount', logger: consoleLogger() };
  if (arg('brokers') !== undefined) config['bootstrap.servers'] = arg('brokers');
  if (arg('data-dir') !== undefined) config['data.dir'] = arg('data-dir');
  if (arg('state-dir') !== undefined) config['state.dir'] = arg('state-dir');
  const service = await startWordcountService({ port, config });
  process.stderr.write(`wordcount service on ${service.url} (GET /counts, /counts/<word>)\n`);
  let signals = 0;
  const stop = () => {
    if (++signals > 1) process.exit(130);
    void service.close();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await service.streams.closed();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    process.stderr.write(`wordcount service: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
