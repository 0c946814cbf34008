/**
 * What both drivers of the differential suite read and write: a case is a named topology and the steps to
 * feed it; a result is every output record, tagged with the step after which it was read. The Java driver
 * (java/.../Main.java) reads and writes the same shapes as JSON.
 */
import type { OutputKind } from './topologies.js';

export interface RecordStep {
  readonly topic: string;
  readonly key: string | null;
  readonly value: string | null;
  readonly timestamp: number;
}

export interface WallClockStep {
  readonly wallClockMs: number;
}

export type Step = RecordStep | WallClockStep;

export interface Case {
  readonly id: string;
  readonly topology: string;
  readonly inputs: readonly string[];
  readonly outputs: ReadonlyArray<{ topic: string; value: OutputKind }>;
  readonly steps: readonly Step[];
  /** Settings for both drivers (Kafka Streams' names), e.g. the record cache off. */
  readonly config?: Readonly<Record<string, string>>;
}

export interface OutRecord {
  readonly step: number;
  readonly topic: string;
  readonly key: string | null;
  readonly value: string | number | null;
  readonly timestamp: number;
}

export interface CaseResult {
  readonly id: string;
  readonly records: readonly OutRecord[];
  /** Set when the driver threw: the rest of the case did not run. */
  readonly error?: string;
}

export function isWallClock(s: Step): s is WallClockStep {
  return 'wallClockMs' in s;
}

export function formatStep(s: Step): string {
  if (isWallClock(s)) return `wall clock +${s.wallClockMs}`;
  return `${s.topic} ${s.key ?? '<null>'} ${s.value ?? '<null>'} @${s.timestamp}`;
}

export function formatRecord(r: OutRecord): string {
  return `[${r.step}] ${r.topic} ${r.key ?? '<null>'} ${r.value ?? '<null>'} @${r.timestamp}`;
}
