import { describe, expect, it } from 'vitest';
import { AssignerProtocol } from 'kafkajs';
import { assignTasks, decodeAssignment, encodeSubscription, taskAssigner, tasksOf, type MemberInfo } from './task-assigner.js';
import { LATEST_OFFSET, holdForWarmups, taskLag } from './warmup-placement.js';

const tasks = tasksOf(new Map([['in', 4], ['rep', 4]]), new Map([['in', 0], ['rep', 1]]));
const byId = new Map(tasks.map((t) => [t.id, t]));
const stateful = (t: { subtopology: number }) => t.subtopology === 1;
const all = tasks.map((t) => t.id);
const ends = new Map(tasks.filter(stateful).map((t) => [t.id, 50_000]));
const settings = { acceptableRecoveryLag: 1000, maxWarmupReplicas: 2 };

function member(memberId: string, owned: string[], offsetSums: Record<string, number> = {}): MemberInfo {
  return { memberId, owned, ownedGeneration: 3, local: Object.keys(offsetSums), cooperative: true, offsetSums };
}

function restarted(memberId: string, local: string[]): MemberInfo {
  return { memberId, owned: [], ownedGeneration: -1, local, cooperative: true };
}

const running = (ids: string[]) => Object.fromEntries(ids.filter((id) => id.startsWith('1_')).map((id) => [id, LATEST_OFFSET]));

describe('taskLag', () => {
  it('is 0 for a task the member runs, the changelog tail for a standby, the whole changelog without a report', () => {
    expect(taskLag(member('a', [], { '1_0': LATEST_OFFSET }), '1_0', ends)).toBe(0);
    expect(taskLag(member('a', [], { '1_0': 49_500 }), '1_0', ends)).toBe(500);
    expect(taskLag(member('a', []), '1_0', ends)).toBe(50_000);
    expect(taskLag(member('a', [], { '1_0': 60_000 }), '1_0', ends)).toBe(0);
    // A task directory from before a restart, not reported: taken for caught up.
    expect(taskLag(restarted('a', ['1_0']), '1_0', ends)).toBe(0);
  });
});

describe('holdForWarmups', () => {
  const owners = (members: MemberInfo[]) => new Map(members.flatMap((m) => m.owned.map((id) => [id, m] as const)));

  it('keeps a stateful task with its caught-up owner and warms it up on the new member; stateless tasks move at once', () => {
    const a = member('a', all, running(all));
    const b = member('b', []);
    const target = assignTasks(tasks, [a, b]);
    const movedToB = target.get('b')!;
    expect(movedToB.some((id) => id.startsWith('1_'))).toBe(true);
    const r = holdForWarmups(target, [a, b], owners([a, b]), stateful, byId, ends, settings);
    expect(r.assignment.get('b')).toEqual(movedToB.filter((id) => id.startsWith('0_')));
    expect(r.assignment.get('a')!.filter((id) => id.startsWith('1_'))).toEqual(['1_0', '1_1', '1_2', '1_3']);
    expect(r.warmups.get('b')).toEqual(movedToB.filter((id) => id.startsWith('1_')));
    expect(r.held).toBe(movedToB.filter((id) => id.startsWith('1_')).length);
  });

  it('moves a task once the warm-up is within acceptable.recovery.lag', () => {
    const a = member('a', all, running(all));
    const b = member('b', [], { '1_2': 49_200, '1_3': 40_000 });
    const target = new Map([['a', ['0_0', '0_1', '1_0', '1_1']], ['b', ['0_2', '0_3', '1_2', '1_3']]]);
    const r = holdForWarmups(target, [a, b], owners([a, b]), stateful, byId, ends, settings);
    expect(r.assignment.get('b')).toEqual(['0_2', '0_3', '1_2']);
    expect(r.assignment.get('a')).toEqual(['0_0', '0_1', '1_0', '1_1', '1_3']);
    expect(r.warmups.get('b')).toEqual(['1_3']);
  });

  it('places at most max.warmup.replicas warm-ups; the other held tasks wait for a later probe', () => {
    const a = member('a', all, running(all));
    const b = member('b', []);
    const c = member('c', []);
    const target = new Map([['a', ['0_0', '0_1', '0_2']], ['b', ['0_3', '1_0', '1_1']], ['c', ['1_2', '1_3']]]);
    const r = holdForWarmups(target, [a, b, c], owners([a, b, c]), stateful, byId, ends, { acceptableRecoveryLag: 1000, maxWarmupReplicas: 1 });
    expect(r.held).toBe(4);
    expect([...r.warmups.values()].flat()).toEqual(['1_0']);
    expect(r.assignment.get('a')).toEqual(['0_0', '0_1', '0_2', '1_0', '1_1', '1_2', '1_3']);
  });

  it('moves at once when the owner left, or is not caught up itself', () => {
    const b = member('b', []);
    const target = new Map([['b', all]]);
    expect(holdForWarmups(target, [b], new Map(), stateful, byId, ends, settings).assignment.get('b')).toEqual(all);
    const restoring = member('a', all, {});
    const t2 = new Map([['a', ['0_0', '0_1', '1_0', '1_1']], ['b', ['0_2', '0_3', '1_2', '1_3']]]);
    const r = holdForWarmups(t2, [restoring, b], owners([restoring, b]), stateful, byId, ends, settings);
    expect(r.assignment.get('b')).toEqual(['0_2', '0_3', '1_2', '1_3']);
    expect(r.held).toBe(0);
  });
});

describe('the kafkajs assigner with warm-ups', () => {
  it('sends the warm-ups as standbys with a probing rebalance, and reports offset sums in the subscription', async () => {
    const subtopologies = new Map([['in', 0], ['rep', 1]]);
    const cluster = { findTopicPartitionMetadata: () => [0, 1, 2, 3].map((partitionId) => ({ partitionId })) };
    const assigner = taskAssigner({
      subtopologies,
      owned: () => ({ tasks: all, generation: 3 }),
      local: () => [],
      cooperative: true,
      statefulSubtopologies: new Set([1]),
      offsetSums: () => running(all),
      warmups: { ...settings, probingRebalanceIntervalMs: 5000, changelogEndSums: async () => ends },
    })({ cluster: cluster as never, groupId: 'g', logger: undefined as never });
    const mine = assigner.protocol({ topics: ['in', 'rep'] });
    const b = encodeSubscription(['in', 'rep'], { owned: [], ownedGeneration: -1, local: [], cooperative: true });
    const result = await assigner.assign({ members: [{ memberId: 'a', memberMetadata: mine.metadata }, { memberId: 'b', memberMetadata: b }] as never, topics: ['in', 'rep'] });
    const of = (id: string) => decodeAssignment(result.find((r) => r.memberId === id)!.memberAssignment);
    expect(of('a').tasks.filter((id) => id.startsWith('1_'))).toEqual(['1_0', '1_1', '1_2', '1_3']);
    expect(of('b').tasks.every((id) => id.startsWith('0_'))).toBe(true);
    expect(of('b').warmups).toHaveLength(2);
    expect(of('b').standby).toEqual(expect.arrayContaining(of('b').warmups));
    expect(of('a').probeAfterMs).toBe(5000);
    expect(of('b').probeAfterMs).toBe(5000);
    // Everyone caught up: no warm-ups, no probe.
    const caughtUp = encodeSubscription(['in', 'rep'], { owned: [], ownedGeneration: -1, local: [], cooperative: true, offsetSums: { '1_0': 50_000, '1_1': 49_999, '1_2': 50_000, '1_3': 50_000 } });
    const again = await assigner.assign({ members: [{ memberId: 'a', memberMetadata: mine.metadata }, { memberId: 'b', memberMetadata: caughtUp }] as never, topics: ['in', 'rep'] });
    const b2 = decodeAssignment(again.find((r) => r.memberId === 'b')!.memberAssignment);
    expect(b2.warmups).toEqual([]);
    expect(b2.probeAfterMs).toBeNull();
    expect(JSON.parse(AssignerProtocol.MemberMetadata.decode(mine.metadata)!.userData.toString()).offs).toEqual(running(all));
  });
});
