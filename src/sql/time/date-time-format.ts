/**
 * Java DateTimeFormatter patterns ('yyyy-MM-dd HH:mm:ss.SSS', "yyyy-MM-dd'T'HH:mm:ssX", ...)
 * compiled once into a formatter and a parser over epoch milliseconds. Supported letters:
 * G y u Y M L d D E e a h H k K m s S n A z Z X x O V and quoted text ('...', '' for a quote).
 */
import { zoneOf, type Zone } from './zones.js';

export class DateTimePatternError extends Error {
  override readonly name = 'DateTimePatternError';
}

export class DateTimeParseError extends Error {
  override readonly name = 'DateTimeParseError';
}

type Part = { kind: 'literal'; text: string } | { kind: 'field'; letter: string; count: number };

const LETTERS = 'GyuYMLdDEeahHkKmsSnAzZXxOVQqwWF';

function tokenize(pattern: string): Part[] {
  const parts: Part[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === "'") {
      let j = i + 1;
      let text = '';
      for (;;) {
        if (j >= pattern.length) throw new DateTimePatternError(`Pattern ends with an incomplete string literal: ${pattern}`);
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += pattern[j];
        j++;
      }
      parts.push({ kind: 'literal', text: j === i + 1 ? "'" : text });
      i = j + 1;
      continue;
    }
    if (ch === '[' || ch === ']') {
      // Optional sections: treated as always present when formatting and optional when parsing is
      // not supported; we simply drop the brackets.
      i++;
      continue;
    }
    if (/[A-Za-z]/.test(ch)) {
      if (!LETTERS.includes(ch)) throw new DateTimePatternError(`Unknown pattern letter: ${ch}`);
      let j = i;
      while (pattern[j] === ch) j++;
      parts.push({ kind: 'field', letter: ch, count: j - i });
      i = j;
      continue;
    }
    parts.push({ kind: 'literal', text: ch });
    i++;
  }
  return parts;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

function pad(n: number, width: number): string {
  const s = String(Math.abs(n));
  return (n < 0 ? '-' : '') + (s.length >= width ? s : '0'.repeat(width - s.length) + s);
}

function formatOffset(offsetMs: number, letter: string, count: number): string {
  const total = Math.round(offsetMs / 60000);
  if (total === 0 && (letter === 'X' || (letter === 'Z' && count === 4 && false))) return 'Z';
  const sign = total < 0 ? '-' : '+';
  const h = Math.floor(Math.abs(total) / 60);
  const m = Math.abs(total) % 60;
  const hh = pad(h, 2);
  const mm = pad(m, 2);
  if (letter === 'Z') {
    if (count <= 3) return `${sign}${hh}${mm}`;
    if (count === 4) return total === 0 ? 'GMT' : `GMT${sign}${hh}:${mm}`;
    return total === 0 ? 'Z' : `${sign}${hh}:${mm}`;
  }
  if (letter === 'O') return total === 0 ? 'GMT' : `GMT${sign}${count === 4 ? hh : String(h)}${m || count === 4 ? `:${mm}` : ''}`;
  // X and x
  if (count === 1) return `${sign}${hh}${m ? mm : ''}`;
  if (count === 2 || count === 4) return `${sign}${hh}${mm}`;
  return `${sign}${hh}:${mm}`;
}

function zoneShortName(zone: Zone, epoch: number): string {
  if (/^(UTC|Z|GMT|UT)$/i.test(zone.id)) return zone.id.toUpperCase() === 'Z' ? 'Z' : zone.id.toUpperCase();
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone.id, timeZoneName: 'short' }).formatToParts(new Date(epoch));
    return parts.find((p) => p.type === 'timeZoneName')?.value ?? zone.id;
  } catch {
    return zone.id;
  }
}

export interface CompiledPattern {
  readonly pattern: string;
  format(epochMillis: number, zone: Zone): string;
  /**
   * Parses text to epoch millis; fields absent from the pattern default to 1970-01-01T00:00.
   * Text after the pattern is an error unless `ignoreTrailing` (SimpleDateFormat-style parsing).
   */
  parse(text: string, zone: Zone, ignoreTrailing?: boolean): number;
}

export function compilePattern(pattern: string): CompiledPattern {
  const parts = tokenize(pattern);
  return { pattern, format: (e, z) => format(parts, e, z), parse: (t, z, ignoreTrailing = false) => parse(parts, pattern, t, z, ignoreTrailing) };
}

const compiledCache = new Map<string, CompiledPattern>();

/** Cached compile (patterns are usually literals, compiled once per query anyway). */
export function patternOf(pattern: string): CompiledPattern {
  let c = compiledCache.get(pattern);
  if (!c) {
    c = compilePattern(pattern);
    if (compiledCache.size > 1000) compiledCache.clear();
    compiledCache.set(pattern, c);
  }
  return c;
}

function format(parts: Part[], epoch: number, zone: Zone): string {
  const offset = zone.offsetAt(epoch);
  const d = new Date(epoch + offset);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  const hour = d.getUTCHours();
  const minute = d.getUTCMinutes();
  const second = d.getUTCSeconds();
  const millis = d.getUTCMilliseconds();
  const dow = (d.getUTCDay() + 6) % 7; // Monday = 0
  let out = '';
  for (const p of parts) {
    if (p.kind === 'literal') {
      out += p.text;
      continue;
    }
    const n = p.count;
    switch (p.letter) {
      case 'G':
        out += n === 4 ? (year > 0 ? 'Anno Domini' : 'Before Christ') : year > 0 ? 'AD' : 'BC';
        break;
      case 'y':
      case 'Y':
        out += n === 2 ? pad(((year % 100) + 100) % 100, 2) : pad(year > 0 ? year : 1 - year, n);
        break;
      case 'u':
        out += n === 2 ? pad(((year % 100) + 100) % 100, 2) : pad(year, n);
        break;
      case 'M':
      case 'L':
        out += n >= 4 ? MONTHS[month - 1] : n === 3 ? MONTHS[month - 1]!.slice(0, 3) : pad(month, n);
        break;
      case 'd':
        out += pad(day, n);
        break;
      case 'D': {
        const doy = Math.floor((Date.UTC(year, month - 1, day) - Date.UTC(year, 0, 1)) / 86_400_000) + 1;
        out += pad(doy, n);
        break;
      }
      case 'E':
        out += n >= 4 ? DAYS[dow] : DAYS[dow]!.slice(0, 3);
        break;
      case 'e':
        out += n >= 4 ? DAYS[dow] : n === 3 ? DAYS[dow]!.slice(0, 3) : pad(((dow + 1) % 7) + 1, n);
        break;
      case 'a':
        out += hour < 12 ? 'AM' : 'PM';
        break;
      case 'h':
        out += pad(hour % 12 === 0 ? 12 : hour % 12, n);
        break;
      case 'K':
        out += pad(hour % 12, n);
        break;
      case 'k':
        out += pad(hour === 0 ? 24 : hour, n);
        break;
      case 'H':
        out += pad(hour, n);
        break;
      case 'm':
        out += pad(minute, n);
        break;
      case 's':
        out += pad(second, n);
        break;
      case 'S': {
        const frac = pad(millis, 3) + '000000';
        out += frac.slice(0, n);
        break;
      }
      case 'n':
        out += pad(millis * 1_000_000, n);
        break;
      case 'A':
        out += pad(((hour * 60 + minute) * 60 + second) * 1000 + millis, n);
        break;
      case 'z':
        out += zoneShortName(zone, epoch);
        break;
      case 'V':
        out += zone.id;
        break;
      case 'Z':
      case 'X':
      case 'x':
      case 'O':
        out += formatOffset(offset, p.letter, n);
        break;
      default:
        throw new DateTimePatternError(`Unsupported pattern letter: ${p.letter}`);
    }
  }
  return out;
}

interface Fields {
  year?: number;
  month?: number;
  day?: number;
  dayOfYear?: number;
  hour?: number;
  hour12?: number;
  pm?: boolean;
  minute?: number;
  second?: number;
  millis?: number;
  offset?: number;
  zone?: Zone;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function parse(parts: Part[], pattern: string, text: string, zone: Zone, ignoreTrailing: boolean): number {
  let pos = 0;
  const f: Fields = {};
  const fail = (): never => {
    throw new DateTimeParseError(`Text '${text}' could not be parsed at index ${pos}`);
  };
  const readDigits = (min: number, max: number): number => {
    const m = new RegExp(`^[0-9]{${min},${max}}`).exec(text.slice(pos));
    if (!m) return fail();
    pos += m[0].length;
    return Number(m[0]);
  };
  const readRange = (min: number, max: number) => readDigits(min, max);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.kind === 'literal') {
      if (text.startsWith(p.text, pos)) pos += p.text.length;
      else if (!(p.text === ' ' && false)) fail();
      continue;
    }
    const next = parts[i + 1];
    // Adjacent numeric fields (e.g. yyyyMMdd) need fixed widths.
    const adjacent = next !== undefined && next.kind === 'field';
    const n = p.count;
    const width = (min: number) => (adjacent || n > 1 ? [Math.max(n, min), Math.max(n, min)] : [1, 10]) as [number, number];
    switch (p.letter) {
      case 'y':
      case 'u':
      case 'Y': {
        if (n === 2) {
          f.year = 2000 + readDigits(2, 2);
        } else {
          let sign = 1;
          if (text[pos] === '-' || text[pos] === '+') {
            sign = text[pos] === '-' ? -1 : 1;
            pos++;
          }
          const [min, max] = adjacent ? [n, n] : [n, 9];
          f.year = sign * readDigits(min, max);
        }
        break;
      }
      case 'M':
      case 'L':
        if (n >= 3) {
          const names = MONTHS.map((m) => (n === 3 ? m.slice(0, 3) : m));
          const idx = names.findIndex((m) => text.slice(pos, pos + m.length).toLowerCase() === m.toLowerCase());
          if (idx < 0) fail();
          pos += names[idx]!.length;
          f.month = idx + 1;
        } else f.month = readRange(n === 1 && !adjacent ? 1 : 2, 2);
        break;
      case 'd':
        f.day = readRange(n === 1 && !adjacent ? 1 : 2, 2);
        break;
      case 'D':
        f.dayOfYear = readRange(n === 1 && !adjacent ? 1 : n, 3);
        break;
      case 'E': {
        const names = DAYS.map((d) => (n >= 4 ? d : d.slice(0, 3)));
        const idx = names.findIndex((d) => text.slice(pos, pos + d.length).toLowerCase() === d.toLowerCase());
        if (idx < 0) fail();
        pos += names[idx]!.length;
        break;
      }
      case 'a': {
        const s = text.slice(pos, pos + 2).toUpperCase();
        if (s !== 'AM' && s !== 'PM') fail();
        f.pm = s === 'PM';
        pos += 2;
        break;
      }
      case 'H':
      case 'k':
        f.hour = readRange(n === 1 && !adjacent ? 1 : 2, 2) % 24;
        break;
      case 'h':
      case 'K':
        f.hour12 = readRange(n === 1 && !adjacent ? 1 : 2, 2) % 12;
        break;
      case 'm':
        f.minute = readRange(n === 1 && !adjacent ? 1 : 2, 2);
        break;
      case 's':
        f.second = readRange(n === 1 && !adjacent ? 1 : 2, 2);
        break;
      case 'S': {
        const start = pos;
        readDigits(n, n);
        const digits = text.slice(start, pos);
        f.millis = Number((digits + '000').slice(0, 3));
        break;
      }
      case 'n': {
        const [wmin, wmax] = width(1);
        const v = readDigits(wmin, wmax);
        f.millis = Math.floor(v / 1_000_000);
        break;
      }
      case 'X':
      case 'x':
      case 'Z':
      case 'O': {
        if (p.letter === 'X' && (text[pos] === 'Z' || text[pos] === 'z')) {
          f.offset = 0;
          pos++;
          break;
        }
        if (text.startsWith('GMT', pos)) pos += 3;
        const m = /^([+-])(\d{2}):?(\d{2})?/.exec(text.slice(pos));
        if (!m) {
          if (p.letter === 'O' || p.letter === 'Z') {
            f.offset = 0;
            break;
          }
          fail();
        }
        pos += m![0].length;
        f.offset = (m![1] === '-' ? -1 : 1) * (Number(m![2]) * 60 + Number(m![3] ?? 0)) * 60_000;
        break;
      }
      case 'z':
      case 'V': {
        const m = /^[A-Za-z][A-Za-z0-9_/+\-:]*/.exec(text.slice(pos));
        if (!m) fail();
        try {
          f.zone = zoneOf(m![0]);
        } catch {
          fail();
        }
        pos += m![0].length;
        break;
      }
      case 'G': {
        const m = /^(AD|BC)/i.exec(text.slice(pos));
        if (!m) fail();
        pos += 2;
        break;
      }
      default:
        throw new DateTimePatternError(`Unsupported pattern letter for parsing: ${p.letter} in ${escapeRegex(pattern)}`);
    }
  }
  if (pos !== text.length && !ignoreTrailing) {
    throw new DateTimeParseError(`Text '${text}' could not be parsed, unparsed text found at index ${pos}`);
  }
  let hour = f.hour ?? 0;
  if (f.hour12 !== undefined) hour = f.hour12 + (f.pm ? 12 : 0);
  const year = f.year ?? 1970;
  let month = f.month ?? 1;
  let day = f.day ?? 1;
  if (f.dayOfYear !== undefined) {
    const d = new Date(Date.UTC(year, 0, f.dayOfYear));
    month = d.getUTCMonth() + 1;
    day = d.getUTCDate();
  }
  const minute = f.minute ?? 0;
  const second = f.second ?? 0;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    throw new DateTimeParseError(`Text '${text}' could not be parsed: Invalid date or time value`);
  }
  const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, f.millis ?? 0));
  d.setUTCFullYear(year);
  const local = d.getTime();
  if (f.offset !== undefined) return local - f.offset;
  return (f.zone ?? zone).toEpoch(local);
}

function daysInMonth(year: number, month: number): number {
  const d = new Date(Date.UTC(2000, month, 0));
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}
