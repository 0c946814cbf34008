/**
 * Standby replicas on the real broker: two workers with num.standby.replicas=1; the one that owns
 * a task is killed with SIGKILL and the survivor, which kept a standby of that task, resumes it
 * restoring only the tail of its changelog; the killed worker, restarted, restores from the
 * checkpoint its uncleanly closed stores kept. The counts stay exact.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaBrokers, kafkaVersion, uniqueId } from './helpers.js';
import { committedSum, killAll, requireBuild, waitUntil, withLog } from './processes.js';
import { keycountWorker, lastAssignment, produceKeys, stopAndCheckCounts } from './keycount.js';

const KEYS = Number(process.env.KSTREAM_STANDBY_TEST_KEYS ?? 20_000);
const PARTITIONS = 2;

describe(`standby replicas on Kafka ${kafkaVersion()}`, () => {
  let dir: string;
  let settings: string;
  const brokers = () => kafkaBrokers().join(',');
  beforeAll(() => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'kstream-standby-'));
    // A dead worker's tasks move after 6 s.
    settings = join(dir, 'standby.properties');
    // b joins with no state: a's task is warmed up on b first (KIP-441), and moves at the next
    // probing rebalance once b is caught up; 2 s, so that the test need not wait 10 min.
    writeFileSync(settings, 'num.standby.replicas=1\nsession.timeout.ms=6000\nheartbeat.interval.ms=500\nprobing.rebalance.interval.ms=2000\n');
  });
  afterEach(() => killAll());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['exactly_once_v2', 'exactly_once'])(
    `%s: the survivor's standby takes over a SIGKILLed worker's task restoring only the tail; counts exact (${KEYS} keys)`,
    async (guarantee) => {
      const app = uniqueId('standby');
      const input = `${app}-input`;
      const output = `${app}-output`;
      const changelog = `${app}-key-counts-changelog`;
      const expected = new Map<string, number>();
      await withLog(brokers(), (log) => log.admin().createTopics([{ name: input, partitions: PARTITIONS }]));
      await produceKeys(brokers(), input, PARTITIONS, 0, KEYS, KEYS, expected);
      const worker = (name: string) => keycountWorker({ brokers: brokers(), dir, app, name, settings, guarantee: guarantee });
      const a = worker('a');
      await waitUntil('worker a to count the first input', async () => (await committedSum(brokers(), app, input)) === KEYS, 120_000, 200);
      const b = worker('b');
      // Two members: one task each, and each the standby of the other's task.
      await waitUntil(
        'both workers to hold a task and a standby',
        () => {
          const la = lastAssignment(a);
          const lb = lastAssignment(b);
          return la !== null && lb !== null && la.generation === lb.generation && la.tasks.length === 1 && lb.tasks.length === 1 && lb.standby.length === 1;
        },
        90_000,
        100,
      );
      const victimTask = lastAssignment(a)!.tasks[0]!;
      expect(lastAssignment(b)!.standby).toEqual([victimTask]);
      expect(lastAssignment(a)!.standby).toEqual(lastAssignment(b)!.tasks);
      // More input while both run: the standby follows the owner's changelog.
      await produceKeys(brokers(), input, PARTITIONS, KEYS, KEYS, KEYS, expected);
      await waitUntil('both workers to count the second input', async () => (await committedSum(brokers(), app, input)) === 2 * KEYS, 120_000, 200);
      const partition = Number(victimTask.split('_')[1]);
      const changelogEnd = (await withLog(brokers(), (log) => log.admin().endOffsets(changelog)))[partition]!;
      expect(changelogEnd).toBeGreaterThan(KEYS / PARTITIONS);
      // Give the standby time to apply the last commit (generous on a loaded machine), then kill the owner.
      await new Promise((r) => setTimeout(r, 3_000));
      const killedAt = Date.now();
      a.kill('SIGKILL');
      const restored = await b.waitFor(new RegExp(`restored (\\d+) records into store key-counts of task ${victimTask} in (\\d+) ms`), 90_000);
      const failoverMs = Date.now() - killedAt;
      // The victim's standby on b closed when its task became active there. (Under cooperative
      // rebalancing b first held a standby of the task it got in the follow-up rebalance too: that
      // one closed earlier, so look for the victim's.)
      const applied = [...b.output().matchAll(new RegExp(`standby task (${victimTask}): closed after applying (\\d+) changelog records`, 'g'))].pop();
      expect(applied, b.output().slice(-4000)).toBeDefined();
      const restoredRecords = Number(restored[1]);
      console.log(
        `${guarantee}: changelog of task ${victimTask} ends at ${changelogEnd}; standby applied ${applied![2]} records, the new owner restored ${restoredRecords} in ${restored[2]} ms; ${failoverMs} ms from SIGKILL (session timeout 6000 ms)`,
      );
      // The standby had applied the changelog: the promoted task restored only a tail.
      expect(Number(applied![2])).toBeGreaterThan(KEYS / PARTITIONS / 2);
      expect(restoredRecords).toBeLessThan(changelogEnd / 4);
      // It goes on processing: a third input is counted exactly.
      await produceKeys(brokers(), input, PARTITIONS, 2 * KEYS, KEYS, KEYS, expected);
      await waitUntil('worker b to count the third input', async () => (await committedSum(brokers(), app, input)) === 3 * KEYS, 120_000, 200);
      // The killed worker comes back on its state dir: it gets a task it has local state for and
      // restores from the checkpoint its uncleanly closed stores kept, not from offset 0.
      const again = worker('a');
      const back = await again.waitFor(/restored (\d+) records into store key-counts of task (\d+_\d+) in \d+ ms \((?:changelog offsets (\d+) to (\d+)|checkpoint (\d+) is the changelog end)\)/, 120_000);
      const from = Number(back[3] ?? back[5]);
      console.log(`${guarantee}: the restarted worker restored ${back[1]} records into task ${back[2]} from its checkpoint at ${from}`);
      expect(from).toBeGreaterThan(KEYS / PARTITIONS / 2);
      await produceKeys(brokers(), input, PARTITIONS, 3 * KEYS, KEYS, KEYS, expected);
      await waitUntil('both workers to count the fourth input', async () => (await committedSum(brokers(), app, input)) === 4 * KEYS, 120_000, 200);
      await stopAndCheckCounts([again, b], brokers(), output, expected);
    },
    300_000,
  );
});
