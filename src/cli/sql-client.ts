/**
 * What `kstream sql` says to a ksqlDB-compatible server: statements to `POST /ksql`, queries to
 * `POST /query-stream` (rows streamed as they come, until the query ends or the caller stops it).
 * http or https (with `--ca` trusted), basic auth from `user:password`. Errors come back as
 * `KsqlServerError` with the server's message; an unreachable server is one line.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

const REQUEST_TIMEOUT_MS = 60_000;
const MAX_RESPONSE_BYTES = 64 << 20;

export class KsqlServerError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface ClientOptions {
  readonly url: string;
  /** `user:password` for basic auth. */
  readonly basicAuth?: string;
  /** PEM CA to trust for https. */
  readonly ca?: Buffer;
}

export interface QueryHeader {
  readonly queryId?: string;
  readonly columnNames: string[];
  readonly columnTypes: string[];
}

export class KsqlClient {
  constructor(private readonly options: ClientOptions) {}

  get url(): string {
    return this.options.url;
  }

  private send(path: string, body: unknown, onResponse: (res: IncomingMessage) => void, signal?: AbortSignal, timeoutMs = REQUEST_TIMEOUT_MS): Promise<void> {
    const url = new URL(path, this.options.url);
    const payload = JSON.stringify(body);
    const headers: Record<string, string | number> = { 'content-type': 'application/json', accept: 'application/vnd.ksqlapi.delimited.v1', 'content-length': Buffer.byteLength(payload) };
    if (this.options.basicAuth !== undefined) headers['authorization'] = `Basic ${Buffer.from(this.options.basicAuth).toString('base64')}`;
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(url, { method: 'POST', headers, ...(this.options.ca !== undefined ? { ca: this.options.ca } : {}), ...(signal !== undefined ? { signal } : {}) }, (res) => {
        res.on('end', () => resolve());
        res.on('close', () => resolve());
        res.on('error', (e) => (signal?.aborted ? resolve() : reject(e)));
        onResponse(res);
      });
      if (timeoutMs > 0) req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from ${this.options.url} within ${timeoutMs} ms`)));
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (signal?.aborted) resolve();
        else reject(new KsqlServerError(e.code === 'ECONNREFUSED' ? `cannot connect to ${this.options.url}: is the server running?` : `${this.options.url}: ${e.message}`, 0));
      });
      req.end(payload);
    });
  }

  /** Runs statements; resolves with the server's entities. */
  async ksql(ksql: string, streamsProperties: Record<string, string>, sessionVariables: Record<string, string>): Promise<Record<string, unknown>[]> {
    let text = '';
    let status = 0;
    await this.send('/ksql', { ksql, streamsProperties, sessionVariables }, (res) => {
      status = res.statusCode ?? 0;
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
        if (text.length > MAX_RESPONSE_BYTES) res.destroy(new Error('response too large'));
      });
    });
    return parseAnswer(text, status) as Record<string, unknown>[];
  }

  /**
   * Runs a query; `onRow` gets each row as it arrives. Resolves when the server ends the response
   * (LIMIT reached, a pull query answered) or `signal` aborts it.
   */
  async query(sql: string, properties: Record<string, string>, onHeader: (h: QueryHeader) => void, onRow: (row: unknown[]) => void, signal: AbortSignal): Promise<void> {
    let status = 0;
    let pending = '';
    let errorText = '';
    let header = false;
    await this.send(
      '/query-stream',
      { sql, properties },
      (res) => {
        status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          if (status !== 200) {
            errorText += c;
            return;
          }
          pending += c;
          const lines = pending.split('\n');
          pending = lines.pop()!;
          for (const line of lines) {
            if (line.trim() === '') continue;
            const value = JSON.parse(line) as unknown;
            if (!header) {
              header = true;
              onHeader(value as QueryHeader);
            } else if (Array.isArray(value)) onRow(value);
          }
        });
      },
      signal,
      0,
    );
    if (status !== 200 && !signal.aborted) parseAnswer(errorText, status);
  }
}

function parseAnswer(text: string, status: number): unknown {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new KsqlServerError(`unexpected answer from the server (HTTP ${status}): ${text.slice(0, 200)}`, status);
  }
  if (status !== 200) {
    const b = body as { message?: string };
    throw new KsqlServerError(typeof b.message === 'string' ? b.message : `HTTP ${status}`, status);
  }
  return body;
}
