/**
 * `POST /inserts-stream`: newline-delimited JSON, first `{"target": "<stream>"}`, then one object
 * per row (column name → value). Each row is checked like an INSERT ... VALUES and acknowledged in
 * order, `{"status":"ok","seq":n}`, or `{"status":"error","seq":n,"error_code","message"}` (the
 * stream goes on): one per line, or, when the client accepts `application/json`, as one JSON array.
 * Rows that arrive together are written in one append.
 */
import type { Log, ProducedRecord } from '../log/types.js';
import { planScript } from '../sql/planner/script.js';
import type { CommandRunner } from './command-runner.js';
import { badRequest, toKsqlError } from './errors.js';
import { analyzeCommand, type KsqlEngine } from './ksql-engine.js';
import type { Req, Res } from './listener.js';
import { normalizeName } from './admin-statements.js';
import { createScriptTopics, insertRecords } from './topic-preparation.js';

const MAX_LINE_BYTES = 1 << 20;

/** A JSON value as a SQL literal (objects become STRUCTs, arrays ARRAYs). */
export function sqlLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
    return String(v).includes('e') ? `CAST('${v}' AS DOUBLE)` : String(v);
  }
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (Array.isArray(v)) return `ARRAY[${v.map(sqlLiteral).join(', ')}]`;
  if (typeof v === 'object') return `STRUCT(${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${quoted(k)} := ${sqlLiteral(x)}`).join(', ')})`;
  throw new Error(`unsupported JSON value ${String(v)}`);
}

function quoted(name: string): string {
  const n = name.startsWith('`') && name.endsWith('`') ? normalizeName(name) : name.toUpperCase();
  return `\`${n.replace(/`/g, '``')}\``;
}

/** The INSERT ... VALUES statement of one JSON row. */
export function insertStatement(target: string, row: Record<string, unknown>): string {
  const cols = Object.keys(row);
  return `INSERT INTO ${quoted(target)} (${cols.map(quoted).join(', ')}) VALUES (${cols.map((c) => sqlLiteral(row[c])).join(', ')});`;
}

export class InsertsStream {
  constructor(
    private readonly engine: KsqlEngine,
    private readonly runner: CommandRunner,
    private readonly log: Log,
  ) {}

  async handle(req: Req, res: Res): Promise<void> {
    await this.runner.catchUp();
    let target: string | null = null;
    let seq = 0;
    let pending = '';
    let started = false;
    let acked = 0;
    const accept = String(req.headers['accept'] ?? '');
    const json = accept.includes('application/json') && !accept.includes('delimited');
    const start = () => {
      if (!started) res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/vnd.ksqlapi.delimited.v1' });
      if (!started && json) (res as import('node:http').ServerResponse).write('[');
      started = true;
    };
    const lines = async (batch: string[]) => {
      const acks: string[] = [];
      const records: ProducedRecord[] = [];
      for (const line of batch) {
        if (line.trim() === '') continue;
        if (target === null) {
          let head: { target?: unknown } = {};
          try {
            head = JSON.parse(line) as { target?: unknown };
          } catch {
            // reported below
          }
          if (typeof head.target !== 'string') throw badRequest('Invalid JSON in request body: the first line must be {"target": "<stream>"}');
          target = head.target;
          continue;
        }
        const n = seq++;
        try {
          const row = JSON.parse(line) as unknown;
          if (typeof row !== 'object' || row === null || Array.isArray(row)) throw badRequest('a row must be a JSON object');
          const analyzed = analyzeCommand(this.engine.session, { id: '', statement: insertStatement(target, row as Record<string, unknown>), properties: {} });
          const script = planScript([analyzed]);
          const partitions = await createScriptTopics(script, this.log);
          records.push(...insertRecords(script, partitions, Date.now()));
          acks.push(JSON.stringify({ status: 'ok', seq: n }));
        } catch (error) {
          const e = toKsqlError(error);
          acks.push(JSON.stringify({ status: 'error', seq: n, error_code: e.errorCode, message: e.message }));
        }
      }
      if (records.length > 0) await this.log.append(records);
      if (acks.length > 0) {
        start();
        (res as import('node:http').ServerResponse).write(json ? `${acked > 0 ? ',' : ''}${acks.join(',')}` : `${acks.join('\n')}\n`);
        acked += acks.length;
      }
    };
    for await (const chunk of req as AsyncIterable<Buffer>) {
      pending += chunk.toString('utf8');
      const parts = pending.split('\n');
      pending = parts.pop()!;
      if (pending.length > MAX_LINE_BYTES) throw badRequest(`a line of the request is longer than ${MAX_LINE_BYTES} bytes`);
      await lines(parts);
    }
    await lines([pending]);
    if (target === null) throw badRequest('Invalid JSON in request body: the first line must be {"target": "<stream>"}');
    start();
    if (json) res.end(']');
    else res.end();
  }
}
