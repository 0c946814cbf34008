/**
 * Interval arithmetic on temporal values: DATEADD/DATESUB (DATE), TIMEADD/TIMESUB (TIME, wrapping
 * around midnight), TIMESTAMPADD/TIMESTAMPSUB (TIMESTAMP). The unit is a time unit name
 * (MILLISECONDS, SECONDS, MINUTES, HOURS, DAYS, singular or plural), written bare in SQL:
 * `TIMESTAMPADD(SECONDS, 5, ts)`.
 */
import { DAY_MS } from '../../time/iso-time.js';
import { FunctionError } from '../function-error.js';
import type { FunctionRegistry } from '../registry.js';

const UNIT_MS: Record<string, number> = {
  MILLISECOND: 1,
  SECOND: 1000,
  MINUTE: 60_000,
  HOUR: 3_600_000,
  DAY: DAY_MS,
};

/** The time unit names a temporal function's first argument may be. */
export const TIME_UNIT_NAMES: ReadonlySet<string> = new Set([...Object.keys(UNIT_MS), ...Object.keys(UNIT_MS).map((u) => `${u}S`)]);

/** Functions whose first argument is a bare time unit. */
export const INTERVAL_FUNCTIONS: ReadonlySet<string> = new Set(['DATEADD', 'DATESUB', 'TIMEADD', 'TIMESUB', 'TIMESTAMPADD', 'TIMESTAMPSUB']);

function unitMs(u: unknown): number {
  const name = String(u).toUpperCase().replace(/S$/, '');
  const ms = UNIT_MS[name];
  if (ms === undefined) throw new FunctionError(`Unknown time unit: ${String(u)}`);
  return ms;
}

export function registerIntervalFunctions(r: FunctionRegistry): void {
  for (const [suffix, sign] of [['ADD', 1], ['SUB', -1]] as const) {
    r.registerScalar({
      name: `DATE${suffix}`,
      overloads: [
        {
          params: ['STRING', 'INTEGER', 'DATE'],
          returns: 'DATE',
          impl: ([u, n, d]) => Math.floor(((d as number) * DAY_MS + sign * unitMs(u) * (n as number)) / DAY_MS),
        },
      ],
    });
    r.registerScalar({
      name: `TIME${suffix}`,
      overloads: [
        {
          params: ['STRING', 'INTEGER', 'TIME'],
          returns: 'TIME',
          impl: ([u, n, t]) => {
            const v = ((t as number) + sign * unitMs(u) * (n as number)) % DAY_MS;
            return v < 0 ? v + DAY_MS : v;
          },
        },
      ],
    });
    r.registerScalar({
      name: `TIMESTAMP${suffix}`,
      overloads: [{ params: ['STRING', 'INTEGER', 'TIMESTAMP'], returns: 'TIMESTAMP', impl: ([u, n, t]) => (t as number) + sign * unitMs(u) * (n as number) }],
    });
  }
}
