import { readFileSync, writeFileSync, renameSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** Committed extent of one partition. Segments are [baseOffset, committedBytes], oldest first. */
export interface PartitionState {
  start: number;
  end: number;
  segments: Array<[number, number]>;
}

export interface TopicState {
  partitions: number;
  config: Record<string, string>;
}

/**
 * Everything that makes data visible: topics, each partition's committed extent, and group
 * offsets. Replaced atomically (write + rename) by each commit, so a reader always sees a
 * consistent cut and bytes past a partition's committed extent are never read.
 */
export interface LogStateData {
  version: 1;
  generation: number;
  topics: Record<string, TopicState>;
  partitions: Record<string, PartitionState>;
  groups: Record<string, Record<string, [number, string?]>>;
}

export function emptyState(): LogStateData {
  return { version: 1, generation: 0, topics: {}, partitions: {}, groups: {} };
}

const FILE = 'state.json';

/** Loads state.json when it changed on disk since the last look (another process committed). */
export class LogStateFile {
  private readonly path: string;
  private stamp = '';
  data: LogStateData = emptyState();

  constructor(dir: string) {
    this.path = join(dir, FILE);
  }

  private currentStamp(): string {
    try {
      const s = statSync(this.path, { bigint: true });
      return `${s.ino}:${s.mtimeNs}:${s.size}`;
    } catch {
      return '';
    }
  }

  /** Returns true when the state was reloaded. */
  refresh(): boolean {
    const stamp = this.currentStamp();
    if (stamp === this.stamp) return false;
    if (!existsSync(this.path)) {
      this.data = emptyState();
      this.stamp = stamp;
      return true;
    }
    const text = readFileSync(this.path, 'utf8');
    this.data = JSON.parse(text) as LogStateData;
    this.stamp = stamp;
    return true;
  }

  write(): void {
    this.data.generation++;
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data));
    renameSync(tmp, this.path);
    this.stamp = this.currentStamp();
  }
}
