/**
 * DELIMITED format: one CSV record per message (RFC 4180 quoting: fields containing the
 * delimiter, a quote or a line break are quoted, quotes doubled). Empty unquoted fields are NULL.
 */
import { Decimal, fitDecimal } from '../types/decimal.js';
import { formatDouble } from '../types/values.js';
import type { SqlType } from '../types/sql-type.js';
import { SerdeError } from '../../serde/serde.js';

/** A parsed field: null for an empty unquoted field. */
export type Field = string | null;

export function parseDelimited(line: string, delimiter: string): Field[] {
  const out: Field[] = [];
  let i = 0;
  const n = line.length;
  // A trailing line break is not part of the record.
  let end = n;
  while (end > 0 && (line[end - 1] === '\n' || line[end - 1] === '\r')) end--;
  if (end === 0) return [null];
  for (;;) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= end) throw new SerdeError('Unterminated quoted field in DELIMITED record');
        const c = line[i]!;
        if (c === '"') {
          if (line[i + 1] === '"') {
            v += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += c;
        i++;
      }
      out.push(v);
      if (i >= end) return out;
      if (line[i] !== delimiter) throw new SerdeError(`Unexpected character after quoted field at index ${i}`);
      i++;
      continue;
    }
    const next = line.indexOf(delimiter, i);
    const stop = next < 0 || next >= end ? end : next;
    const raw = line.slice(i, stop);
    out.push(raw === '' ? null : raw);
    if (stop >= end) return out;
    i = stop + 1;
    if (i === end) {
      out.push(null);
      return out;
    }
  }
}

/**
 * Quoting of ksqlDB's CSVPrinter (Apache Commons CSV 1.4, QuoteMode.MINIMAL): the first field of a
 * record is quoted unless it starts with a letter or digit (so "-10" is quoted there, not after a
 * delimiter), any field starting with a character <= '#', containing the delimiter, a quote or a
 * line break, or ending with a character <= ' ' is quoted; an empty string only as first field.
 */
function needsQuotes(s: string, delimiter: string, first: boolean): boolean {
  if (s === '') return first;
  const c = s.charCodeAt(0);
  const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  if (first && !alnum) return true;
  if (c <= 35) return true;
  if (s.includes(delimiter) || s.includes('"') || s.includes('\n') || s.includes('\r')) return true;
  return s.charCodeAt(s.length - 1) <= 32;
}

function renderField(v: unknown, t: SqlType, delimiter: string, first: boolean): string {
  // A NULL is an empty, unquoted field (Commons CSV prints null as the empty null string).
  if (v === null || v === undefined) return '';
  let s: string;
  switch (t.base) {
    case 'DOUBLE':
      s = formatDouble(v as number);
      break;
    case 'DECIMAL':
      s = (v as Decimal).toString();
      break;
    case 'BYTES':
      s = (v as Buffer).toString('base64');
      break;
    case 'BIGINT':
      s = (v as bigint).toString();
      break;
    default:
      s = String(v);
  }
  return needsQuotes(s, delimiter, first) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function writeDelimited(values: readonly unknown[], types: readonly SqlType[], delimiter: string): string {
  return values.map((v, i) => renderField(v ?? null, types[i]!, delimiter, i === 0)).join(delimiter);
}

function int(text: string, name: string): bigint {
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) throw new SerdeError(`Failed to parse '${text}' as an integer for column ${name}`);
  return BigInt(t);
}

export function readDelimitedField(f: Field, t: SqlType, name: string): unknown {
  if (f === null) return null;
  switch (t.base) {
    case 'STRING':
      return f;
    case 'INTEGER':
      return Number(BigInt.asIntN(32, int(f, name)));
    case 'BIGINT':
      return BigInt.asIntN(64, int(f, name));
    case 'TIMESTAMP':
    case 'DATE':
    case 'TIME':
      return Number(int(f, name));
    case 'DOUBLE': {
      const d = Number(f.trim());
      if (f.trim() === '' || Number.isNaN(d) && f.trim() !== 'NaN') throw new SerdeError(`Failed to parse '${f}' as a DOUBLE for column ${name}`);
      return d;
    }
    case 'DECIMAL':
      try {
        return fitDecimal(Decimal.parse(f), t.precision, t.scale);
      } catch (e) {
        throw new SerdeError(`Failed to parse '${f}' as ${`DECIMAL(${t.precision}, ${t.scale})`} for column ${name}: ${(e as Error).message}`);
      }
    case 'BOOLEAN': {
      const b = f.trim().toLowerCase();
      if (b !== 'true' && b !== 'false') throw new SerdeError(`Failed to parse '${f}' as a BOOLEAN for column ${name}`);
      return b === 'true';
    }
    case 'BYTES':
      return Buffer.from(f, 'base64');
    default:
      throw new SerdeError(`The 'DELIMITED' format does not support type '${t.base}', column: ${name}`);
  }
}
