/**
 * ISO-8601 text forms of TIMESTAMP, DATE and TIME as ksqlDB prints and parses them
 * (SqlTimeTypes): timestamps as yyyy-MM-dd'T'HH:mm:ss.SSS in UTC, dates as yyyy-MM-dd, times as
 * Java's LocalTime.toString of whole seconds (HH:mm, or HH:mm:ss when seconds are not zero).
 * Parsing accepts partials ('2020-05', '2020-05-26T10') and an optional zone suffix.
 */
import { DateTimeParseError } from './date-time-format.js';
import { zoneOf } from './zones.js';

const DAY_MS = 86_400_000;

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

function isoDateOfDays(days: number): string {
  const d = new Date(days * DAY_MS);
  const y = d.getUTCFullYear();
  const ys = y >= 0 && y <= 9999 ? pad(y, 4) : (y < 0 ? '-' : '+') + pad(Math.abs(y), 4);
  return `${ys}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

export function formatTimestampIso(epochMillis: number): string {
  const days = Math.floor(epochMillis / DAY_MS);
  const ms = epochMillis - days * DAY_MS;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  return `${isoDateOfDays(days)}T${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(ms % 1000, 3)}`;
}

export function formatDateIso(days: number): string {
  return isoDateOfDays(days);
}

export function formatTimeIso(millisOfDay: number): string {
  const secs = Math.floor(millisOfDay / 1000);
  const h = Math.floor(secs / 3600);
  const m = Math.floor(secs / 60) % 60;
  const s = secs % 60;
  return s === 0 ? `${pad(h, 2)}:${pad(m, 2)}` : `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}`;
}

const TS_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?)?)?(.*)$/;

/** ksqlDB's partial timestamp parser: missing trailing fields default to their minimum. */
export function parseTimestampIso(text: string): number {
  const m = TS_RE.exec(text.trim());
  if (!m) throw new DateTimeParseError(`Failed to parse timestamp '${text}'`);
  const [, y, mo, d, h, mi, s, frac, rest] = m;
  const month = Number(mo ?? 1);
  const day = Number(d ?? 1);
  const hour = Number(h ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(s ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    throw new DateTimeParseError(`Failed to parse timestamp '${text}'`);
  }
  const millis = frac ? Number((frac + '00').slice(0, 3)) : 0;
  const dt = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, millis));
  dt.setUTCFullYear(Number(y));
  if (dt.getUTCDate() !== day) throw new DateTimeParseError(`Failed to parse timestamp '${text}'`);
  const zone = (rest ?? '').trim();
  if (zone === '') return dt.getTime();
  try {
    return zoneOf(zone).toEpoch(dt.getTime());
  } catch {
    throw new DateTimeParseError(`Failed to parse timestamp '${text}'`);
  }
}

export function parseDateIso(text: string): number {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(text.trim());
  if (!m) throw new DateTimeParseError(`Failed to parse date '${text}'`);
  const month = Number(m[2] ?? 1);
  const day = Number(m[3] ?? 1);
  const dt = new Date(Date.UTC(2000, month - 1, day));
  dt.setUTCFullYear(Number(m[1]));
  if (month < 1 || month > 12 || dt.getUTCDate() !== day) throw new DateTimeParseError(`Failed to parse date '${text}'`);
  return Math.floor(dt.getTime() / DAY_MS);
}

export function parseTimeIso(text: string): number {
  const m = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/.exec(text.trim());
  if (!m) throw new DateTimeParseError(`Failed to parse time '${text}'`);
  const h = Number(m[1]);
  const mi = Number(m[2]);
  const s = Number(m[3] ?? 0);
  if (h > 23 || mi > 59 || s > 59) throw new DateTimeParseError(`Failed to parse time '${text}'`);
  return ((h * 60 + mi) * 60 + s) * 1000 + (m[4] ? Number((m[4] + '00').slice(0, 3)) : 0);
}

export function timestampToDate(epochMillis: number): number {
  return Math.floor(epochMillis / DAY_MS);
}

export function timestampToTime(epochMillis: number): number {
  return ((epochMillis % DAY_MS) + DAY_MS) % DAY_MS;
}

export { DAY_MS };
