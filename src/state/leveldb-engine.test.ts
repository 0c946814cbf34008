import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LevelDbEngine } from './leveldb-engine.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kstream-engine-'));
  dirs.push(dir);
  return dir;
}

const b = (s: string) => Buffer.from(s);
const text = (v: Buffer | undefined) => (v === undefined ? undefined : v.toString());

describe('LevelDB engine: commits written at most once per interval', () => {
  it('a commit within the interval stays in memory; a clean close writes it with its checkpoint', async () => {
    const dir = tempDir();
    const engine = await LevelDbEngine.open(dir, { writeIntervalMs: 60_000 });
    engine.put(b('a'), b('1'));
    await engine.commit(5); // the first commit writes (no checkpoint on disk yet)
    engine.put(b('a'), b('2'));
    engine.put(b('b'), b('3'));
    await engine.commit(7);
    expect(engine.pendingBytes()).toBe(0);
    expect(text(engine.get(b('a')))).toBe('2');
    expect(engine.checkpoint()).toBe(7);
    await engine.close();
    const again = await LevelDbEngine.open(dir);
    expect(again.checkpoint()).toBe(7);
    expect(text(again.get(b('a')))).toBe('2');
    expect(text(again.get(b('b')))).toBe('3');
    await again.close();
  });

  it('closed with writes since its last commit (a lost task, a crash), LevelDB keeps its last write and checkpoint', async () => {
    const dir = tempDir();
    const engine = await LevelDbEngine.open(dir, { writeIntervalMs: 60_000 });
    engine.put(b('a'), b('1'));
    await engine.commit(5);
    engine.put(b('a'), b('2'));
    await engine.commit(7); // committed, not written yet
    engine.put(b('c'), b('9')); // never committed
    expect(engine.pendingBytes()).toBe(2);
    await engine.close();
    const again = await LevelDbEngine.open(dir);
    // The restore goes on from 5, where the data on disk stands: nothing committed is lost.
    expect(again.checkpoint()).toBe(5);
    expect(text(again.get(b('a')))).toBe('1');
    expect(again.get(b('c'))).toBeUndefined();
    await again.close();
  });

  it('a commit once the interval has passed writes everything pending, deletes included', async () => {
    const dir = tempDir();
    const engine = await LevelDbEngine.open(dir, { writeIntervalMs: 0 });
    engine.put(b('a'), b('1'));
    engine.put(b('b'), b('2'));
    await engine.commit(1);
    engine.put(b('a'), null);
    await engine.commit(2);
    engine.put(b('b'), b('3')); // uncommitted: dropped at close
    await engine.close();
    const again = await LevelDbEngine.open(dir);
    expect(again.checkpoint()).toBe(2);
    expect(again.get(b('a'))).toBeUndefined();
    expect(text(again.get(b('b')))).toBe('2');
    const seen: string[] = [];
    for await (const [k, v] of again.scanAsync(null, null, false)) seen.push(`${k}=${v}`);
    expect(seen).toEqual(['b=2']);
    await again.close();
  });

  it('a scan sees the values as of its start while pending entries are updated in place', async () => {
    const engine = await LevelDbEngine.open(tempDir(), { writeIntervalMs: 60_000 });
    engine.put(b('a'), b('1'));
    engine.put(b('b'), b('2'));
    const seen: string[] = [];
    for await (const [k, v] of engine.scanAsync(null, null, false)) {
      engine.put(b('b'), b('20'));
      seen.push(`${k}=${v}`);
    }
    expect(seen).toEqual(['a=1', 'b=2']);
    expect(text(engine.get(b('b')))).toBe('20');
    await engine.close();
  });

  it('putAt finds the pending write through its handle, and a handle of written or range-deleted data is not reused', async () => {
    const dir = tempDir();
    const engine = await LevelDbEngine.open(dir, { writeIntervalMs: 0 });
    const first = engine.putAt(undefined, b('a'), b('1'), 'a');
    expect(engine.putAt(first, b('a'), b('2'), 'a')).toBe(first);
    expect(text(engine.get(b('a')))).toBe('2');
    await engine.commit(1); // written: the handle is stale now
    const second = engine.putAt(first, b('a'), b('3'), 'a');
    expect(second).not.toBe(first);
    expect(text(engine.get(b('a')))).toBe('3');
    engine.deleteRange(b('a'), b('b'));
    const third = engine.putAt(second, b('a'), b('4'), 'a');
    expect(third).not.toBe(second);
    expect(text(engine.get(b('a')))).toBe('4');
    engine.put(b('a'), b('5'));
    expect(engine.putAt(third, b('a'), b('6'), 'a')).toBe(third);
    await engine.commit(2);
    await engine.close();
    const again = await LevelDbEngine.open(dir);
    expect(again.checkpoint()).toBe(2);
    await again.close();
  });
});
