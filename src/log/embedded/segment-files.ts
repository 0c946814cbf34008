import { openSync, closeSync, readSync, writeSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Paths and open file descriptors of partition segment files. */
export class SegmentFiles {
  private readonly readFds = new Map<string, number>();
  private readonly writeFds = new Map<string, number>();

  constructor(private readonly topicsDir: string) {}

  partitionDir(topic: string, partition: number): string {
    return join(this.topicsDir, topic, String(partition));
  }

  segmentPath(topic: string, partition: number, base: number): string {
    return join(this.partitionDir(topic, partition), `${String(base).padStart(20, '0')}.log`);
  }

  createPartitionDir(topic: string, partition: number): void {
    mkdirSync(this.partitionDir(topic, partition), { recursive: true });
  }

  /** Writes at an explicit position: bytes past the committed extent are garbage and get overwritten. */
  writeAt(topic: string, partition: number, base: number, position: number, data: Buffer): void {
    const path = this.segmentPath(topic, partition, base);
    let fd = this.writeFds.get(path);
    if (fd === undefined || position === 0) {
      if (fd !== undefined) closeSync(fd);
      // A new segment may find a stale uncommitted file from a crashed writer: truncate it.
      fd = openSync(path, position === 0 ? 'w+' : 'r+');
      this.writeFds.set(path, fd);
    }
    let written = 0;
    while (written < data.length) written += writeSync(fd, data, written, data.length - written, position + written);
  }

  read(topic: string, partition: number, base: number, position: number, length: number): Buffer {
    const path = this.segmentPath(topic, partition, base);
    let fd = this.readFds.get(path);
    if (fd === undefined) {
      if (this.readFds.size > 512) this.closeReaders();
      fd = openSync(path, 'r');
      this.readFds.set(path, fd);
    }
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, position + got);
      if (n === 0) throw new Error(`log segment ${path} is shorter than its committed size`);
      got += n;
    }
    return buf;
  }

  forgetSegment(topic: string, partition: number, base: number): void {
    const path = this.segmentPath(topic, partition, base);
    for (const fds of [this.readFds, this.writeFds]) {
      const fd = fds.get(path);
      if (fd !== undefined) {
        closeSync(fd);
        fds.delete(path);
      }
    }
    rmSync(path, { force: true });
  }

  removeTopic(topic: string): void {
    for (const fds of [this.readFds, this.writeFds]) {
      for (const [path, fd] of fds) {
        if (path.startsWith(join(this.topicsDir, topic) + '/')) {
          closeSync(fd);
          fds.delete(path);
        }
      }
    }
    rmSync(join(this.topicsDir, topic), { recursive: true, force: true });
  }

  private closeReaders(): void {
    for (const fd of this.readFds.values()) closeSync(fd);
    this.readFds.clear();
  }

  close(): void {
    this.closeReaders();
    for (const fd of this.writeFds.values()) closeSync(fd);
    this.writeFds.clear();
  }
}
