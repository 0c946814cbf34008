/**
 * A client for Confluent-compatible schema registries (Confluent Schema Registry, Apicurio's `/apis/ccompat/v7`,
 * Redpanda, ...): schemas by id, register, look up, versions. Synchronous (see sync-http.ts) with caches, so
 * that serdes can call it on the record path: after the first record of each schema it is a Map lookup.
 */
import { readFileSync } from 'node:fs';
import { SerdeError, SerdeUnavailableError } from '../serde.js';
import { type HttpRequest, httpRequestSync } from './sync-http.js';

export type SchemaType = 'AVRO' | 'PROTOBUF' | 'JSON';

export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

export interface RegistrySchema {
  schema: string;
  schemaType: SchemaType;
  references: SchemaReference[];
}

export interface SubjectVersion extends RegistrySchema {
  subject: string;
  id: number;
  version: number;
}

export interface SchemaRegistryConfig {
  /** Base URL(s) of the registry, e.g. `http://127.0.0.1:8081` (tried in order). */
  url: string | readonly string[];
  /** `user:password` for HTTP basic auth (Confluent's `basic.auth.user.info`). */
  basicAuth?: string;
  /** TLS: PEM text of the CA, client certificate and key; `rejectUnauthorized` defaults to true. */
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean };
  /** Per request (default 10 s). */
  timeoutMs?: number;
  /** Retries of a request no registry answered (unreachable, HTTP 502/503/504), with doubling waits (default 3). */
  maxRetries?: number;
  /** The first wait between retries (default 500 ms; doubling, at most 8 s). */
  retryBackoffMs?: number;
}

/** No registry answered, after the retries: not a fault of the record being read or written. */
export class SchemaRegistryUnavailableError extends SerdeUnavailableError {}

/** A registry answered with an error. One line, with the registry's error code. */
export class SchemaRegistryError extends SerdeError {
  constructor(
    message: string,
    readonly status: number,
    readonly errorCode: number,
  ) {
    super(message);
  }
}

/**
 * Registry settings from Confluent's client properties: `schema.registry.url`, `basic.auth.user.info`
 * (with `basic.auth.credentials.source=USER_INFO`), and PEM files `schema.registry.ssl.ca.location`,
 * `schema.registry.ssl.certificate.location`, `schema.registry.ssl.key.location`.
 */
export function registryConfigFromProperties(props: Record<string, unknown>): SchemaRegistryConfig | undefined {
  const url = props['schema.registry.url'];
  if (typeof url !== 'string' || url.trim() === '') return undefined;
  const file = (k: string): string | undefined => {
    const p = props[k];
    if (typeof p !== 'string' || p === '') return undefined;
    try {
      return readFileSync(p, 'utf8');
    } catch (e) {
      throw new Error(`${k}: cannot read ${p}: ${(e as Error).message}`);
    }
  };
  const userInfo = props['basic.auth.user.info'] ?? props['schema.registry.basic.auth.user.info'];
  const tls = { ca: file('schema.registry.ssl.ca.location'), cert: file('schema.registry.ssl.certificate.location'), key: file('schema.registry.ssl.key.location') };
  return {
    url: url.split(',').map((u) => u.trim()).filter(Boolean),
    basicAuth: typeof userInfo === 'string' && userInfo !== '' ? userInfo : undefined,
    tls: tls.ca || tls.cert || tls.key ? tls : undefined,
    timeoutMs: numberProp(props, 'schema.registry.request.timeout.ms'),
    maxRetries: numberProp(props, 'schema.registry.max.retries'),
    retryBackoffMs: numberProp(props, 'schema.registry.retries.wait.ms'),
  };
}

function numberProp(props: Record<string, unknown>, key: string): number | undefined {
  const v = props[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${key} must be a number >= 0, got '${String(v)}'`);
  return n;
}

/** Blocks the calling thread (the client is synchronous: a serde waits for its schema). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

function normaliseType(t: unknown): SchemaType {
  return t === 'PROTOBUF' || t === 'JSON' ? t : 'AVRO';
}

export class SchemaRegistryClient {
  private readonly urls: string[];
  private readonly byId = new Map<number, RegistrySchema>();
  private readonly idBySubjectSchema = new Map<string, number>();
  private readonly byVersion = new Map<string, SubjectVersion>();
  private readonly headers: Record<string, string>;

  constructor(readonly config: SchemaRegistryConfig) {
    const urls = typeof config.url === 'string' ? config.url.split(',') : [...config.url];
    this.urls = urls.map((u) => u.trim().replace(/\/+$/, '')).filter(Boolean);
    if (this.urls.length === 0) throw new Error('schema.registry.url is empty');
    for (const u of this.urls) {
      if (!/^(https?|mock):\/\//.test(u)) throw new Error(`schema.registry.url must start with http:// or https://, got '${u}'`);
    }
    this.headers = { accept: `${CONTENT_TYPE}, application/json`, 'content-type': CONTENT_TYPE };
    if (config.basicAuth) this.headers.authorization = `Basic ${Buffer.from(config.basicAuth).toString('base64')}`;
  }

  /** The schema with this id (cached forever: ids are immutable). */
  schemaById(id: number): RegistrySchema {
    let s = this.byId.get(id);
    if (!s) {
      const r = this.call('GET', `/schemas/ids/${id}`, undefined, `schema id ${id}`) as Partial<RegistrySchema>;
      s = { schema: String(r.schema), schemaType: normaliseType(r.schemaType), references: r.references ?? [] };
      this.byId.set(id, s);
    }
    return s;
  }

  /** Registers a schema under a subject (or finds it registered already) and returns its id. */
  register(subject: string, schema: RegistrySchema): number {
    const key = `${subject}\0${schema.schemaType}\0${schema.schema}`;
    let id = this.idBySubjectSchema.get(key);
    if (id === undefined) {
      const r = this.call('POST', `/subjects/${encodeURIComponent(subject)}/versions`, this.body(schema), `subject '${subject}'`) as { id: number };
      id = r.id;
      this.idBySubjectSchema.set(key, id);
      if (!this.byId.has(id)) this.byId.set(id, schema);
    }
    return id;
  }

  /** The id of a schema already registered under a subject (no registration). */
  lookup(subject: string, schema: RegistrySchema): SubjectVersion {
    const r = this.call('POST', `/subjects/${encodeURIComponent(subject)}`, this.body(schema), `subject '${subject}'`) as SubjectVersion;
    return { ...schema, subject, id: r.id, version: r.version };
  }

  /** A version of a subject (`latest` is fetched every time it is asked; numbered versions are cached). */
  version(subject: string, version: number | 'latest' = 'latest'): SubjectVersion {
    const key = `${subject}\0${version}`;
    const cached = version === 'latest' ? undefined : this.byVersion.get(key);
    if (cached) return cached;
    const r = this.call('GET', `/subjects/${encodeURIComponent(subject)}/versions/${version}`, undefined, `subject '${subject}'`) as Partial<SubjectVersion>;
    const v: SubjectVersion = {
      subject,
      id: Number(r.id),
      version: Number(r.version),
      schema: String(r.schema),
      schemaType: normaliseType(r.schemaType),
      references: r.references ?? [],
    };
    if (version !== 'latest') this.byVersion.set(key, v);
    if (!this.byId.has(v.id)) this.byId.set(v.id, { schema: v.schema, schemaType: v.schemaType, references: v.references });
    return v;
  }

  subjects(): string[] {
    return this.call('GET', '/subjects', undefined, 'subjects') as string[];
  }

  private body(schema: RegistrySchema): string {
    const b: Record<string, unknown> = { schema: schema.schema };
    if (schema.schemaType !== 'AVRO') b.schemaType = schema.schemaType;
    if (schema.references.length) b.references = schema.references;
    return JSON.stringify(b);
  }

  /**
   * One request, to each URL in turn; when none answers (or each answers 502/503/504) it is retried after 0.5, 1, 2 s ...
   * (`maxRetries`, `retryBackoffMs`), then fails with SchemaRegistryUnavailableError.
   */
  protected call(method: HttpRequest['method'], path: string, body: string | undefined, what: string): unknown {
    const retries = this.config.maxRetries ?? 3;
    let wait = this.config.retryBackoffMs ?? 500;
    for (let attempt = 0; ; attempt++) {
      const r = this.attempt(method, path, body, what);
      if (!('unavailable' in r)) return r.body;
      if (attempt >= retries) {
        throw new SchemaRegistryUnavailableError(`schema registry unreachable (${what}, ${attempt + 1} attempt${attempt ? 's' : ''}): ${r.unavailable}`);
      }
      sleepSync(wait);
      wait = Math.min(wait * 2, 8000);
    }
  }

  private attempt(method: HttpRequest['method'], path: string, body: string | undefined, what: string): { body: unknown } | { unavailable: string } {
    let unreachable = '';
    for (const base of this.urls) {
      const res = httpRequestSync({
        method,
        url: base + path,
        headers: this.headers,
        body,
        timeoutMs: this.config.timeoutMs ?? 10_000,
        ...this.config.tls,
      });
      if ('error' in res) {
        unreachable += `${unreachable ? '; ' : ''}${base}: ${res.error}`;
        continue;
      }
      let parsed: unknown;
      try {
        parsed = res.body === '' ? {} : JSON.parse(res.body);
      } catch {
        parsed = { message: res.body.slice(0, 200) };
      }
      if (res.status >= 200 && res.status < 300) return { body: parsed };
      const p = parsed as { message?: string; error_code?: number };
      const code = Number(p.error_code ?? res.status);
      if (res.status === 502 || res.status === 503 || res.status === 504) {
        unreachable += `${unreachable ? '; ' : ''}${base}: ${explain(res.status, code, what)}${p.message ? ` (${oneLine(p.message)})` : ''}`;
        continue;
      }
      throw new SchemaRegistryError(`schema registry ${base}: ${explain(res.status, code, what)}${p.message ? ` (${oneLine(p.message)})` : ''}`, res.status, code);
    }
    return { unavailable: unreachable };
  }
}

function oneLine(s: string): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** Confluent's error codes, in words. */
export function explain(status: number, code: number, what: string): string {
  switch (code) {
    case 40401:
      return `${what} not found (40401)`;
    case 40402:
      return `${what}: version not found (40402)`;
    case 40403:
      return `${what} not found (40403)`;
    case 409:
    case 40901:
      return `${what}: the schema is incompatible with the subject's earlier versions (409)`;
    case 42201:
      return `${what}: invalid schema (42201)`;
    case 401:
    case 40101:
      return `${what}: unauthorized (401): check basic.auth.user.info`;
    case 403:
    case 40301:
      return `${what}: forbidden (403)`;
    default:
      return `${what}: HTTP ${status}${code !== status ? ` error ${code}` : ''}`;
  }
}
