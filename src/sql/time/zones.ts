/**
 * Time zones as Java's ZoneId understands them: 'UTC', 'Z', 'GMT', fixed offsets ('+05:30',
 * '-08', 'UTC+2', 'GMT-03:00') and IANA region ids ('America/Los_Angeles') resolved through Intl.
 */

export interface Zone {
  readonly id: string;
  /** Offset from UTC in milliseconds at the given instant. */
  offsetAt(epochMillis: number): number;
  /** Epoch millis of a local date-time (given as if it were UTC millis) in this zone. */
  toEpoch(localMillis: number): number;
}

class FixedZone implements Zone {
  constructor(
    readonly id: string,
    private readonly offset: number,
  ) {}
  offsetAt(): number {
    return this.offset;
  }
  toEpoch(localMillis: number): number {
    return localMillis - this.offset;
  }
}

class RegionZone implements Zone {
  private readonly format: Intl.DateTimeFormat;
  constructor(readonly id: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: id,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
  }
  offsetAt(epochMillis: number): number {
    const whole = Math.floor(epochMillis / 1000) * 1000;
    const parts = this.format.formatToParts(new Date(whole));
    const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
    let year = get('year');
    if (parts.find((p) => p.type === 'era')?.value === 'BC') year = 1 - year;
    const local = Date.UTC(year, get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
    const d = new Date(local);
    if (year >= 0 && year < 100) d.setUTCFullYear(year);
    return d.getTime() - whole;
  }
  toEpoch(localMillis: number): number {
    const first = this.offsetAt(localMillis);
    const guess = localMillis - first;
    const second = this.offsetAt(guess);
    return second === first ? guess : localMillis - second;
  }
}

const cache = new Map<string, Zone>();

export class UnknownZoneError extends Error {
  override readonly name = 'UnknownZoneError';
}

function parseOffset(text: string): number | undefined {
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(text);
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1 : 1;
  const h = Number(m[2]);
  const min = Number(m[3] ?? 0);
  const s = Number(m[4] ?? 0);
  if (h > 18 || min > 59 || s > 59) return undefined;
  return sign * ((h * 60 + min) * 60 + s) * 1000;
}

export const UTC: Zone = new FixedZone('UTC', 0);

/** Resolves a zone id; throws UnknownZoneError like Java's ZoneId.of. */
export function zoneOf(id: string): Zone {
  const cached = cache.get(id);
  if (cached) return cached;
  let zone: Zone;
  const upper = id.toUpperCase();
  if (upper === 'UTC' || upper === 'Z' || upper === 'GMT' || upper === 'UT') zone = new FixedZone(id, 0);
  else {
    const prefixed = /^(UTC|GMT|UT)([+-].*)$/i.exec(id);
    const offset = parseOffset(prefixed ? prefixed[2]! : id);
    if (offset !== undefined) zone = new FixedZone(id, offset);
    else if (prefixed || /^[+-]/.test(id)) throw new UnknownZoneError(`Invalid ID for offset-based ZoneId: ${id}`);
    else {
      try {
        zone = new RegionZone(id);
      } catch {
        throw new UnknownZoneError(`Unknown time-zone ID: ${id}`);
      }
    }
  }
  cache.set(id, zone);
  return zone;
}
