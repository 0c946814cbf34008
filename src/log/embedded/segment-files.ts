import { openSync, closeSync, readSync, writeSync, mkdirSync, rmSync, fstatSync, ftruncateSync, fdatasyncSync } from 'node:fs';
import { join } from 'node:path';
import { LogDamageError } from './log-damage.js';

/** Paths and open file descriptors of partition segment files. */
export class SegmentFiles {
  private readonly readFds = new Map<string, number>();
  private readonly writeFds = new Map<string, number>();
  /** Written since the last `sync()`. */
  private readonly unsynced = new Set<number>();

  constructor(
    private readonly topicsDir: string,
    private readonly warn: (message: string) => void,
  ) {}

  partitionDir(topic: string, partition: number): string {
    return join(this.topicsDir, topic, String(partition));
  }

  segmentPath(topic: string, partition: number, base: number): string {
    return join(this.partitionDir(topic, partition), `${String(base).padStart(20, '0')}.log`);
  }

  createPartitionDir(topic: string, partition: number): void {
    mkdirSync(this.partitionDir(topic, partition), { recursive: true });
  }

  /**
   * Appends `data` at `position`, the segment's committed size. Bytes past it are an uncommitted
   * tail left by a crashed writer (never visible to readers): they are cut, and said so. A file
   * shorter than its committed size is damaged: nothing is written to it.
   */
  writeAt(topic: string, partition: number, base: number, position: number, data: Buffer): void {
    const path = this.segmentPath(topic, partition, base);
    let fd = this.writeFds.get(path);
    if (fd === undefined) {
      fd = this.openForWrite(path, topic, partition, position);
      this.writeFds.set(path, fd);
    }
    const size = fstatSync(fd).size;
    if (size < position) {
      throw new LogDamageError(path, size, `the file ends ${position - size} bytes before its committed size ${position}`);
    }
    if (size > position) {
      ftruncateSync(fd, position);
      this.warn(`log segment ${path}: cut ${size - position} bytes past its committed size ${position} (an uncommitted write of a process that crashed)`);
    }
    let written = 0;
    while (written < data.length) written += writeSync(fd, data, written, data.length - written, position + written);
    this.unsynced.add(fd);
  }

  private openForWrite(path: string, topic: string, partition: number, position: number): number {
    try {
      return openSync(path, 'r+');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      if (position > 0) throw new LogDamageError(path, undefined, `the segment file is missing (${position} bytes are committed in it)`);
      mkdirSync(this.partitionDir(topic, partition), { recursive: true });
      return openSync(path, 'wx');
    }
  }

  /** Makes every write since the last call durable (before the state that commits them). */
  sync(): void {
    for (const fd of this.unsynced) fdatasyncSync(fd);
    this.unsynced.clear();
  }

  read(topic: string, partition: number, base: number, position: number, length: number): Buffer {
    const path = this.segmentPath(topic, partition, base);
    let fd = this.readFds.get(path);
    if (fd === undefined) {
      if (this.readFds.size > 512) this.closeReaders();
      try {
        fd = openSync(path, 'r');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new LogDamageError(path, undefined, 'the segment file is missing');
        throw e;
      }
      this.readFds.set(path, fd);
    }
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, position + got);
      if (n === 0) throw new LogDamageError(path, position + got, `the file is shorter than its committed size (${position + length} bytes at least)`);
      got += n;
    }
    return buf;
  }

  forgetSegment(topic: string, partition: number, base: number): void {
    const path = this.segmentPath(topic, partition, base);
    this.closeFd(this.readFds, path);
    this.closeFd(this.writeFds, path);
    rmSync(path, { force: true });
  }

  removeTopic(topic: string): void {
    const prefix = join(this.topicsDir, topic) + '/';
    for (const fds of [this.readFds, this.writeFds]) {
      for (const path of [...fds.keys()]) if (path.startsWith(prefix)) this.closeFd(fds, path);
    }
    rmSync(join(this.topicsDir, topic), { recursive: true, force: true });
  }

  private closeFd(fds: Map<string, number>, path: string): void {
    const fd = fds.get(path);
    if (fd === undefined) return;
    closeSync(fd);
    fds.delete(path);
    this.unsynced.delete(fd);
  }

  private closeReaders(): void {
    for (const fd of this.readFds.values()) closeSync(fd);
    this.readFds.clear();
  }

  close(): void {
    this.closeReaders();
    for (const fd of this.writeFds.values()) closeSync(fd);
    this.writeFds.clear();
    this.unsynced.clear();
  }
}
