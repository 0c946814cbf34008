import { readFileSync, renameSync, statSync, existsSync, openSync, writeSync, fsyncSync, closeSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { crc32c } from './checksum.js';
import { LogDamageError, LogFormatError } from './log-damage.js';

/** Committed extent of one partition. Segments are [baseOffset, committedBytes], oldest first. */
export interface PartitionState {
  start: number;
  end: number;
  /** End offset of the last batch written (offsets from there to `end` are a gap). */
  written: number;
  segments: Array<[number, number]>;
}

export interface TopicState {
  partitions: number;
  config: Record<string, string>;
}

/**
 * Everything that makes data visible: topics, each partition's committed extent, and group
 * offsets. Replaced atomically (write + fsync + rename + fsync of the directory) by each commit,
 * so a reader always sees a consistent cut and bytes past a partition's committed extent are
 * never read.
 */
export interface LogStateData {
  version: 2;
  generation: number;
  topics: Record<string, TopicState>;
  partitions: Record<string, PartitionState>;
  groups: Record<string, Record<string, [number, string?]>>;
}

export function emptyState(): LogStateData {
  return { version: 2, generation: 0, topics: {}, partitions: {}, groups: {} };
}

const FILE = 'state.json';
/** First line of the file: `kstream-log-state 2 <crc32c of the body, hex> <body bytes>`, then the JSON body. */
const SIGNATURE = 'kstream-log-state';
const FORMAT = 2;
const RECOVER = 'restore the data dir (or this file) from a backup, or move the data dir away and produce its input again';

/** The first non-empty segment file under `topicsDir` (topic/partition/*.log), if any. */
function firstSegmentWithData(topicsDir: string): string | undefined {
  const list = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  for (const topic of list(topicsDir)) {
    for (const partition of list(join(topicsDir, topic))) {
      for (const file of list(join(topicsDir, topic, partition))) {
        const path = join(topicsDir, topic, partition, file);
        if (file.endsWith('.log') && statSync(path, { throwIfNoEntry: false })?.size) return path;
      }
    }
  }
  return undefined;
}

/** Loads state.json when it changed on disk since the last look (another process committed). */
export class LogStateFile {
  private readonly path: string;
  /** What the file looked like when last read ('' when it was missing); undefined before the first look. */
  private stamp: string | undefined;
  data: LogStateData = emptyState();

  constructor(
    dir: string,
    private readonly topicsDir: string,
  ) {
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
      // A log without its state would look empty, and the next write would overwrite its segments.
      const segment = firstSegmentWithData(this.topicsDir);
      if (segment !== undefined) {
        throw new LogDamageError(this.path, undefined, `it is gone while segments hold data (${segment})`, {
          what: 'missing log state file',
          hint: `without it nothing says what is committed, and nothing is written until it is back; ${RECOVER}`,
        });
      }
      this.data = emptyState();
      this.stamp = stamp;
      return true;
    }
    this.data = this.parse(readFileSync(this.path));
    this.stamp = stamp;
    return true;
  }

  private parse(file: Buffer): LogStateData {
    const damaged = (problem: string) => new LogDamageError(this.path, undefined, problem, { what: 'damaged log state file', hint: RECOVER });
    const newline = file.indexOf(10);
    const head = file.toString('latin1', 0, newline < 0 ? Math.min(file.length, 64) : Math.min(newline, 64)).split(' ');
    if (head[0] !== SIGNATURE) {
      if (file[0] === 0x7b && /^\{"version":1,/.test(file.toString('latin1', 0, 16))) {
        throw new LogFormatError(
          `${this.path}: this data dir's log was written by an older kstream without checksums (format 1); this version reads format ${FORMAT} only: move the data dir away (or delete its log/ folder) and produce the input again`,
        );
      }
      throw damaged('not a kstream log state file (bad first line)');
    }
    if (head[1] !== String(FORMAT)) throw new LogFormatError(`${this.path}: log state format ${head[1]} is not supported (this version reads format ${FORMAT})`);
    const length = Number(head[3]);
    const body = file.subarray(newline + 1);
    if (newline < 0 || !Number.isSafeInteger(length) || !/^[0-9a-f]{8}$/.test(head[2] ?? '')) throw damaged('bad first line');
    if (body.length !== length) throw damaged(`the body has ${body.length} bytes, its first line says ${length}`);
    const stored = parseInt(head[2]!, 16);
    const actual = crc32c(body);
    if (stored !== actual) throw damaged(`checksum mismatch (stored 0x${stored.toString(16)}, computed 0x${actual.toString(16)})`);
    try {
      return JSON.parse(body.toString('utf8')) as LogStateData;
    } catch (e) {
      throw damaged(`unreadable JSON: ${(e as Error).message}`);
    }
  }

  write(): void {
    this.data.generation++;
    const body = Buffer.from(JSON.stringify(this.data));
    const head = Buffer.from(`${SIGNATURE} ${FORMAT} ${crc32c(body).toString(16).padStart(8, '0')} ${body.length}\n`, 'latin1');
    const tmp = `${this.path}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      const file = Buffer.concat([head, body]);
      let written = 0;
      while (written < file.length) written += writeSync(fd, file, written, file.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    syncDirectory(dirname(this.path));
    this.stamp = this.currentStamp();
  }
}

/** fsync of a directory: makes a rename in it durable. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
