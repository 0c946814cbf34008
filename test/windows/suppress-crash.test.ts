import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Serdes, WindowedSerdes } from 'kstream';
import { produce, readAll, tempDir } from '../helpers/embedded.js';
import { runFinalCounts } from './fixtures/suppress-app.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const APP = fileURLToPath(new URL('./fixtures/suppress-app.ts', import.meta.url));
const N = 30_000;
const KEYS = 7;
const serde = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 10);

/** SIGKILL to the whole process group of `child`; resolves once no process of the group is left. */
async function killGroup(child: ChildProcess): Promise<void> {
  const pgid = child.pid!;
  process.kill(-pgid, 'SIGKILL');
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    await sleep(20);
  }
}

function startApp(dir: string): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  // Its own process group, so that kill -9 reaches the node process npx starts, not only npx.
  const child = spawn('npx', ['tsx', APP, dir], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exited };
}

async function finalCount(dir: string): Promise<number> {
  return (await readAll(dir, 'final', serde, Serdes.Long())).length;
}

describe('suppress(untilWindowCloses) survives kill -9', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = tempDir('kstream-supcrash-')));
  afterAll(() => cleanup());

  it('emits exactly one final result per closed window across SIGKILLs and restarts', async () => {
    const records = Array.from({ length: N }, (_, i) => ({ key: `k${i % KEYS}`, value: 'x', timestamp: i }));
    const CHUNK = 1000;
    let appended = 0;
    const appendChunk = async () => {
      await produce(dir, 'clicks', records.slice(appended, appended + CHUNK));
      appended = Math.min(N, appended + CHUNK);
    };
    await appendChunk();
    await produce(dir, 'final', []);
    let kills = 0;
    let outputsAtKills: number[] = [];
    for (let round = 0; round < 2; round++) {
      const { child, exited } = startApp(dir);
      const before = await finalCount(dir);
      // Keep feeding input until the running app has emitted more final results, then kill it.
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        if (appended < N * (0.35 + 0.3 * round)) await appendChunk();
        await sleep(50);
        if ((await finalCount(dir)) > before + 50) break;
      }
      await killGroup(child);
      const r = await exited;
      expect(r.signal, r.stderr).toBe('SIGKILL');
      kills++;
      outputsAtKills.push(await finalCount(dir));
    }
    while (appended < N) await appendChunk();
    await runFinalCounts(dir, true);

    expect(kills).toBe(2);
    // The kills happened mid-way: some final results existed, more came after.
    const total = await finalCount(dir);
    expect(outputsAtKills[0]).toBeGreaterThan(0);
    expect(outputsAtKills[1]).toBeLessThan(total);

    const expected = new Map<string, number>();
    const maxTs = N - 1;
    for (const r of records) {
      const start = Math.floor(r.timestamp / 10) * 10;
      if (start + 10 > maxTs) continue; // window still open: never final
      const id = `${r.key}@${start}`;
      expected.set(id, (expected.get(id) ?? 0) + 1);
    }
    const out = await readAll(dir, 'final', serde, Serdes.Long());
    const seen = new Map<string, number>();
    for (const r of out) {
      const id = `${r.key!.key}@${r.key!.window.start}`;
      expect(seen.has(id), `duplicate final result for ${id}`).toBe(false);
      seen.set(id, r.value!);
    }
    expect(seen.size).toBe(expected.size);
    expect(new Map([...seen].sort())).toEqual(new Map([...expected].sort()));
    // Emission order: by window end, then key bytes.
    const order = out.map((r) => [r.key!.window.end, r.key!.key] as const);
    const sorted = [...order].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    expect(order).toEqual(sorted);
  });
});
