/**
 * An in-process schema registry behind `mock://<scope>` URLs, as Confluent's serdes offer for tests (and as
 * ksql-test-runner uses): subjects, versions and ids live in memory, shared by every client of the same scope.
 * It answers the client's requests as a registry would (ids shared by identical schemas, 40401/40403), without
 * compatibility checks.
 */
import { type HttpRequest } from './sync-http.js';
import { explain, type RegistrySchema, SchemaRegistryClient, SchemaRegistryError, type SchemaRegistryConfig } from './client.js';

interface Scope {
  schemas: Map<number, RegistrySchema>;
  nextId: number;
  idByText: Map<string, number>;
  subjects: Map<string, number[]>;
}

const scopes = new Map<string, Scope>();

function scopeOf(url: string): Scope {
  let s = scopes.get(url);
  if (!s) scopes.set(url, (s = { schemas: new Map(), nextId: 1, idByText: new Map(), subjects: new Map() }));
  return s;
}

function scopeKey(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

/** Forgets everything registered under a `mock://` scope. */
export function dropMockScope(url: string): void {
  scopes.delete(scopeKey(url));
}

/** Registers a schema under a subject of a `mock://` scope; returns its id. */
function register(s: Scope, subject: string, schema: RegistrySchema, wantedId?: number): number {
  const key = `${schema.schemaType}\0${schema.schema}`;
  let id = wantedId ?? s.idByText.get(key);
  if (id === undefined || !s.schemas.has(id)) {
    id ??= s.nextId;
    s.schemas.set(id, schema);
    s.nextId = Math.max(s.nextId, id + 1);
    if (!s.idByText.has(key)) s.idByText.set(key, id);
  }
  const list = s.subjects.get(subject) ?? [];
  if (!list.includes(id)) list.push(id);
  s.subjects.set(subject, list);
  return id;
}

/**
 * Registers a schema in a `mock://` scope, as a test fixture (ksql-test-runner's topic schemas): under `id` when
 * given (a test that names its schema ids), else the next free id or that of an identical schema.
 */
export function registerMockSchema(url: string, subject: string, schema: RegistrySchema, id?: number): number {
  return register(scopeOf(scopeKey(url)), subject, schema, id);
}

export class MemorySchemaRegistryClient extends SchemaRegistryClient {
  private readonly scope: Scope;

  constructor(config: SchemaRegistryConfig) {
    super(config);
    this.scope = scopeOf(scopeKey(typeof config.url === 'string' ? config.url : config.url[0]!));
  }

  protected override call(method: HttpRequest['method'], path: string, body: string | undefined, what: string): unknown {
    const s = this.scope;
    const fail = (code: number): never => {
      throw new SchemaRegistryError(`schema registry mock: ${explain(Math.floor(code / 100), code, what)}`, Math.floor(code / 100), code);
    };
    const parts = path.split('/').slice(1).map(decodeURIComponent);
    if (method === 'GET' && parts[0] === 'schemas' && parts[1] === 'ids') {
      const schema = s.schemas.get(Number(parts[2]));
      return schema ?? fail(40403);
    }
    if (method === 'GET' && parts[0] === 'subjects' && parts.length === 1) return [...s.subjects.keys()];
    const subject = parts[1]!;
    const versions = s.subjects.get(subject);
    if (method === 'GET' && parts[2] === 'versions') {
      if (!versions) return fail(40401);
      const n = parts[3] === 'latest' ? versions.length : Number(parts[3]);
      const id = versions[n - 1];
      if (id === undefined) return fail(40402);
      return { subject, version: n, id, ...s.schemas.get(id) };
    }
    const req = JSON.parse(body ?? '{}') as { schema: string; schemaType?: RegistrySchema['schemaType']; references?: RegistrySchema['references'] };
    const schema: RegistrySchema = { schema: req.schema, schemaType: req.schemaType ?? 'AVRO', references: req.references ?? [] };
    const key = `${schema.schemaType}\0${schema.schema}`;
    if (method === 'POST' && parts[2] === 'versions') return { id: register(s, subject, schema) };
    if (method === 'POST' && parts.length === 2) {
      const id = s.idByText.get(key);
      const version = id === undefined || !versions ? -1 : versions.indexOf(id);
      if (!versions) return fail(40401);
      if (version < 0) return fail(40403);
      return { subject, id, version: version + 1, ...schema };
    }
    return fail(404);
  }
}
