import { describe, expect, it } from 'vitest';
import { compilePattern, DateTimePatternError, DateTimeParseError } from '../../../src/sql/time/date-time-format.js';
import { formatTimestampIso, parseTimestampIso, formatTimeIso, parseDateIso } from '../../../src/sql/time/iso-time.js';
import { UnknownZoneError, UTC, zoneOf } from '../../../src/sql/time/zones.js';

const T = Date.UTC(2021, 6, 4, 15, 4, 5, 67); // Sunday 2021-07-04T15:04:05.067Z

describe('Java DateTimeFormatter patterns', () => {
  const fmt = (p: string, zone = 'UTC') => compilePattern(p).format(T, zoneOf(zone));
  it('formats numeric fields and text fields', () => {
    expect(fmt('yyyy-MM-dd HH:mm:ss.SSS')).toBe('2021-07-04 15:04:05.067');
    expect(fmt('yy/M/d H:m:s')).toBe('21/7/4 15:4:5');
    expect(fmt('MMM MMMM EEE EEEE')).toBe('Jul July Sun Sunday');
    expect(fmt('hh:mm a')).toBe('03:04 PM');
    expect(fmt('D')).toBe('185');
    expect(fmt("yyyy-MM-dd'T'HH:mm:ss'Z'")).toBe('2021-07-04T15:04:05Z');
    expect(fmt("'It''s' yyyy")).toBe("It's 2021");
    expect(fmt('SSSSSS')).toBe('067000');
  });
  it('formats zones and offsets', () => {
    expect(fmt('HH:mm XXX', 'America/Los_Angeles')).toBe('08:04 -07:00');
    expect(fmt('HH:mm Z', 'Asia/Kolkata')).toBe('20:34 +0530');
    expect(fmt('HH:mm X', 'UTC')).toBe('15:04 Z');
    expect(fmt('HH:mm z', 'UTC')).toBe('15:04 UTC');
    expect(fmt('HH:mm VV', 'Europe/Paris')).toBe('17:04 Europe/Paris');
    expect(compilePattern('HH:mm').format(Date.UTC(2021, 0, 4, 15, 4), zoneOf('America/Los_Angeles'))).toBe('07:04');
  });
  it('parses in a zone, honouring offsets in the text', () => {
    const p = compilePattern('yyyy-MM-dd HH:mm:ss');
    expect(p.parse('2021-07-04 15:04:05', UTC)).toBe(Date.UTC(2021, 6, 4, 15, 4, 5));
    expect(p.parse('2021-07-04 08:04:05', zoneOf('America/Los_Angeles'))).toBe(Date.UTC(2021, 6, 4, 15, 4, 5));
    expect(compilePattern("yyyy-MM-dd'T'HH:mmXXX").parse('2021-07-04T17:04+02:00', UTC)).toBe(Date.UTC(2021, 6, 4, 15, 4));
    expect(compilePattern('yyyyMMdd').parse('20210704', UTC)).toBe(Date.UTC(2021, 6, 4));
    expect(compilePattern('dd MMM yyyy hh:mm a').parse('04 Jul 2021 03:04 PM', UTC)).toBe(Date.UTC(2021, 6, 4, 15, 4));
    expect(compilePattern('HH:mm').parse('10:30', UTC)).toBe(Date.UTC(1970, 0, 1, 10, 30));
  });
  it('rejects bad text and bad patterns', () => {
    expect(() => compilePattern('yyyy-MM-dd').parse('2021-13-01', UTC)).toThrow(DateTimeParseError);
    expect(() => compilePattern('yyyy-MM-dd').parse('2021-02-30', UTC)).toThrow(DateTimeParseError);
    expect(() => compilePattern('yyyy-MM-dd').parse('2021-02-01 extra', UTC)).toThrow(DateTimeParseError);
    expect(() => compilePattern('yyyy-bb')).toThrow(DateTimePatternError);
    expect(() => compilePattern("yyyy 'open")).toThrow(DateTimePatternError);
  });
});

describe('zones', () => {
  it('resolves fixed offsets and region ids', () => {
    expect(zoneOf('+05:30').offsetAt(0)).toBe(19_800_000);
    expect(zoneOf('UTC-3').offsetAt(0)).toBe(-10_800_000);
    expect(zoneOf('GMT').offsetAt(0)).toBe(0);
    expect(zoneOf('America/New_York').offsetAt(Date.UTC(2021, 0, 1))).toBe(-18_000_000);
    expect(zoneOf('America/New_York').offsetAt(Date.UTC(2021, 6, 1))).toBe(-14_400_000);
  });
  it('rejects unknown zones', () => {
    expect(() => zoneOf('Mars/Olympus')).toThrow(UnknownZoneError);
    expect(() => zoneOf('+25:00')).toThrow(UnknownZoneError);
  });
});

describe('ISO text of SQL temporal types', () => {
  it('formats and parses like ksqlDB', () => {
    expect(formatTimestampIso(T)).toBe('2021-07-04T15:04:05.067');
    expect(formatTimestampIso(-1)).toBe('1969-12-31T23:59:59.999');
    expect(parseTimestampIso('2021-07-04')).toBe(Date.UTC(2021, 6, 4));
    expect(parseTimestampIso('2021-07-04T15:04')).toBe(Date.UTC(2021, 6, 4, 15, 4));
    expect(parseTimestampIso('2021-07-04T17:04:05.067+02:00')).toBe(T);
    expect(formatTimeIso(3_600_000)).toBe('01:00');
    expect(formatTimeIso(3_601_000)).toBe('01:00:01');
    expect(parseDateIso('2021-07')).toBe(18809);
  });
});
