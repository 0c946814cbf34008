import net from 'node:net';
import { createHash } from 'node:crypto';
import { openSync, closeSync, writeSync, readFileSync, unlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Cross-process mutexes that the kernel releases when their holder dies (kill -9 included).
 * On Linux they are abstract-namespace unix sockets: binding one is atomic and the name vanishes
 * with the process. Elsewhere a lock file with the holder's pid is used (a dead holder's lock is
 * taken over).
 */
export interface HeldLock {
  release(): Promise<void>;
}

function lockName(kind: string, key: string): string {
  return `kstream-${kind}-${createHash('sha1').update(key).digest('hex').slice(0, 24)}`;
}

function bindAbstract(name: string): Promise<net.Server | null> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? resolve(null) : reject(e)));
    server.listen({ path: '\0' + name, exclusive: true }, () => resolve(server));
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryLockFile(path: string): boolean {
  try {
    const fd = openSync(path, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    let holder = NaN;
    try {
      holder = Number(readFileSync(path, 'utf8'));
    } catch {
      return false;
    }
    if (Number.isFinite(holder) && holder > 0 && !pidAlive(holder)) {
      try {
        unlinkSync(path);
      } catch {
        /* another process took it over first */
      }
    }
    return false;
  }
}

/** Tries once; null when another live holder has it. */
export async function tryLock(kind: string, key: string, fallbackPath: string): Promise<HeldLock | null> {
  if (process.platform === 'linux') {
    const server = await bindAbstract(lockName(kind, key));
    if (server === null) return null;
    return { release: () => new Promise<void>((r) => server.close(() => r())) };
  }
  if (!tryLockFile(fallbackPath)) return null;
  return {
    release: async () => {
      try {
        unlinkSync(fallbackPath);
      } catch {
        /* already gone */
      }
    },
  };
}

/** Waits (with backoff) until the lock is free, up to `timeoutMs`. */
export async function lock(kind: string, key: string, fallbackPath: string, timeoutMs: number): Promise<HeldLock> {
  const deadline = Date.now() + timeoutMs;
  let wait = 0;
  for (;;) {
    const held = await tryLock(kind, key, fallbackPath);
    if (held !== null) return held;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for the ${kind} lock of ${key}`);
    wait = Math.min(20, wait + 1);
    await sleep(wait);
  }
}
