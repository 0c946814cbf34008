/** SQL values (src/sql/README.md) as ksqlDB's REST API renders them in JSON rows. */
import type { SqlType } from '../sql/types/sql-type.js';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function toJsonValue(v: unknown, t: SqlType): unknown {
  if (v === null || v === undefined) return null;
  switch (t.base) {
    case 'TIMESTAMP':
      return new Date(Number(v)).toISOString().slice(0, -1);
    case 'DATE':
      return new Date(Number(v) * 86_400_000).toISOString().slice(0, 10);
    case 'TIME': {
      const ms = Number(v);
      return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}`;
    }
    case 'BYTES':
      return Buffer.isBuffer(v) ? v.toString('base64') : v;
    case 'ARRAY':
      return (v as unknown[]).map((x) => toJsonValue(x, t.element));
    case 'MAP': {
      const out: Record<string, unknown> = {};
      for (const [k, x] of v as Map<unknown, unknown>) out[String(k)] = toJsonValue(x, t.value);
      return out;
    }
    case 'STRUCT': {
      const out: Record<string, unknown> = {};
      const o = v as Record<string, unknown>;
      for (const f of t.fields) out[f.name] = toJsonValue(o[f.name] ?? null, f.type);
      return out;
    }
    default:
      if (typeof v === 'bigint') return Number(v);
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) return Number(String(v)); // DECIMAL
      return v;
  }
}
