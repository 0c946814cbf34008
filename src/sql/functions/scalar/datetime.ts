/**
 * Date and time functions. Patterns are Java DateTimeFormatter patterns; time zones are Java zone
 * ids. Where ksqlDB falls back to the JVM's default zone we use UTC, so results do not depend on
 * the machine running the query. Constant patterns and zones are compiled once per call site.
 */
import { patternOf, type CompiledPattern } from '../../time/date-time-format.js';
import { DAY_MS } from '../../time/iso-time.js';
import { UTC, zoneOf, type Zone } from '../../time/zones.js';
import { FunctionError } from '../function-error.js';
import type { FactoryContext, FunctionRegistry, ScalarImpl } from '../registry.js';

function toPattern(v: unknown): CompiledPattern {
  try {
    return patternOf(v as string);
  } catch (e) {
    throw new FunctionError(`Invalid date/time pattern: ${v as string}. ${(e as Error).message}`);
  }
}

function toZone(v: unknown): Zone {
  try {
    return zoneOf(v as string);
  } catch (e) {
    throw new FunctionError((e as Error).message);
  }
}

/**
 * Builds an implementation where argument `patternIdx` is a pattern and `zoneIdx` (if present) a
 * zone; both are resolved at build time when constant.
 */
function withPatternAndZone(
  patternIdx: number,
  zoneIdx: number | undefined,
  body: (args: unknown[], pattern: CompiledPattern, zone: Zone) => unknown,
): (ctx: FactoryContext) => ScalarImpl {
  return ({ constants }) => {
    const cp = constants[patternIdx];
    const cz = zoneIdx === undefined ? undefined : constants[zoneIdx];
    const fixedPattern = typeof cp === 'string' ? safe(() => toPattern(cp)) : undefined;
    const fixedZone = zoneIdx === undefined ? UTC : typeof cz === 'string' ? safe(() => toZone(cz)) : undefined;
    return (args) =>
      body(args, fixedPattern ?? toPattern(args[patternIdx]), fixedZone ?? (zoneIdx === undefined ? UTC : toZone(args[zoneIdx])));
  };
}

/** Precompiles when possible; a bad constant is reported per record (as ksqlDB does) rather than at analysis. */
function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

function parseWith(pattern: CompiledPattern, text: string, zone: Zone, ignoreTrailing = false): number {
  try {
    return pattern.parse(text, zone, ignoreTrailing);
  } catch (e) {
    throw new FunctionError(`Failed to parse '${text}' with pattern '${pattern.pattern}': ${(e as Error).message}`);
  }
}

const floorDiv = (a: number, b: number) => Math.floor(a / b);

export function registerDateTimeFunctions(r: FunctionRegistry): void {
  const fmtTs = (args: unknown[], p: CompiledPattern, z: Zone) => p.format(Number(args[0] as bigint | number), z);
  r.registerScalar({
    name: 'TIMESTAMPTOSTRING',
    overloads: [
      { params: ['BIGINT', 'STRING'], returns: 'STRING', factory: withPatternAndZone(1, undefined, fmtTs) },
      { params: ['BIGINT', 'STRING', 'STRING'], returns: 'STRING', factory: withPatternAndZone(1, 2, fmtTs) },
    ],
  });
  const parseTs = (args: unknown[], p: CompiledPattern, z: Zone) => BigInt(parseWith(p, args[0] as string, z));
  r.registerScalar({
    name: 'STRINGTOTIMESTAMP',
    overloads: [
      { params: ['STRING', 'STRING'], returns: 'BIGINT', factory: withPatternAndZone(1, undefined, parseTs) },
      { params: ['STRING', 'STRING', 'STRING'], returns: 'BIGINT', factory: withPatternAndZone(1, 2, parseTs) },
    ],
  });
  r.registerScalar({
    name: 'FORMAT_TIMESTAMP',
    overloads: [
      { params: ['TIMESTAMP', 'STRING'], returns: 'STRING', factory: withPatternAndZone(1, undefined, fmtTs) },
      { params: ['TIMESTAMP', 'STRING', 'STRING'], returns: 'STRING', factory: withPatternAndZone(1, 2, fmtTs) },
    ],
  });
  const parseTimestamp = (args: unknown[], p: CompiledPattern, z: Zone) => parseWith(p, args[0] as string, z);
  r.registerScalar({
    name: 'PARSE_TIMESTAMP',
    overloads: [
      { params: ['STRING', 'STRING'], returns: 'TIMESTAMP', factory: withPatternAndZone(1, undefined, parseTimestamp) },
      { params: ['STRING', 'STRING', 'STRING'], returns: 'TIMESTAMP', factory: withPatternAndZone(1, 2, parseTimestamp) },
    ],
  });
  const fmtDate = (args: unknown[], p: CompiledPattern) => p.format((args[0] as number) * DAY_MS, UTC);
  const parseDate = (args: unknown[], p: CompiledPattern) => floorDiv(parseWith(p, args[0] as string, UTC), DAY_MS);
  r.registerScalar({ name: 'DATETOSTRING', overloads: [{ params: ['INTEGER', 'STRING'], returns: 'STRING', factory: withPatternAndZone(1, undefined, fmtDate) }] });
  r.registerScalar({ name: 'STRINGTODATE', overloads: [{ params: ['STRING', 'STRING'], returns: 'INTEGER', factory: withPatternAndZone(1, undefined, parseDate) }] });
  r.registerScalar({ name: 'FORMAT_DATE', overloads: [{ params: ['DATE', 'STRING'], returns: 'STRING', factory: withPatternAndZone(1, undefined, fmtDate) }] });
  // PARSE_DATE parses like commons-lang FastDateFormat: text after the pattern is ignored.
  const parseDateLenient = (args: unknown[], p: CompiledPattern) => {
    const ms = parseWith(p, args[0] as string, UTC, true);
    if (ms % DAY_MS !== 0) throw new FunctionError('Date format contains time field.');
    return ms / DAY_MS;
  };
  r.registerScalar({ name: 'PARSE_DATE', overloads: [{ params: ['STRING', 'STRING'], returns: 'DATE', factory: withPatternAndZone(1, undefined, parseDateLenient) }] });
  r.registerScalar({
    name: 'FORMAT_TIME',
    overloads: [{ params: ['TIME', 'STRING'], returns: 'STRING', factory: withPatternAndZone(1, undefined, (a, p) => p.format(a[0] as number, UTC)) }],
  });
  r.registerScalar({
    name: 'PARSE_TIME',
    overloads: [
      {
        params: ['STRING', 'STRING'],
        returns: 'TIME',
        factory: withPatternAndZone(1, undefined, (a, p) => ((parseWith(p, a[0] as string, UTC) % DAY_MS) + DAY_MS) % DAY_MS),
      },
    ],
  });
  r.registerScalar({ name: 'FROM_UNIXTIME', overloads: [{ params: ['BIGINT'], returns: 'TIMESTAMP', impl: ([v]) => Number(v as bigint) }] });
  r.registerScalar({ name: 'FROM_DAYS', overloads: [{ params: ['INTEGER'], returns: 'DATE', impl: ([v]) => v }] });
  r.registerScalar({
    name: 'UNIX_TIMESTAMP',
    deterministic: false,
    overloads: [
      { params: [], returns: 'BIGINT', impl: () => BigInt(Date.now()) },
      { params: ['TIMESTAMP'], returns: 'BIGINT', impl: ([t]) => BigInt(t as number) },
    ],
  });
  r.registerScalar({
    name: 'UNIX_DATE',
    deterministic: false,
    overloads: [
      { params: [], returns: 'INTEGER', impl: () => floorDiv(Date.now(), DAY_MS) },
      { params: ['DATE'], returns: 'INTEGER', impl: ([d]) => d },
    ],
  });
  r.registerScalar({
    name: 'CONVERT_TZ',
    overloads: [
      {
        params: ['TIMESTAMP', 'STRING', 'STRING'],
        returns: 'TIMESTAMP',
        impl: ([t, from, to]) => {
          const ts = t as number;
          const fromZone = toZone(from);
          const toZoneV = toZone(to);
          return ts + toZoneV.offsetAt(ts) - fromZone.offsetAt(ts);
        },
      },
    ],
  });
}
