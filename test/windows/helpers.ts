import { type Serde, type TestOutputTopic, type Windowed, silentLogger } from 'kstream';

/** `key@[start,end) -> value @ts`, the notation of docs/semantics/windows-joins.md. */
export function fmtWindowed<K, V>(r: { key: Windowed<K> | null; value: V | null; timestamp: number }, closedEnd = false): string {
  const w = r.key!.window;
  return `${String(r.key!.key)}@[${w.start},${w.end}${closedEnd ? ']' : ')'} -> ${r.value === null ? 'null' : String(r.value)} @${r.timestamp}`;
}

export function readWindowed<K, V>(out: TestOutputTopic<Windowed<K>, V>, closedEnd = false): string[] {
  return out.readRecordsToList().map((r) => fmtWindowed(r, closedEnd));
}

export function fmt<K, V>(r: { key: K | null; value: V | null; timestamp: number }): string {
  return `${r.key === null ? 'null' : String(r.key)} -> ${r.value === null ? 'null' : String(r.value)} @${r.timestamp}`;
}

export function read<K, V>(out: TestOutputTopic<K, V>): string[] {
  return out.readRecordsToList().map(fmt);
}

export const quiet = { logger: silentLogger } as const;

export type AnySerde = Serde<any>;
