import { describe, expect, it } from 'vitest';
import { AssignerProtocol } from 'kafkajs';
import { assignTasks, decodeAssignment, decodeSubscription, encodeSubscription, taskAssigner, tasksOf, withholdMovingTasks, type MemberInfo } from './task-assigner.js';

const member = (memberId: string, owned: string[] = [], ownedGeneration = 1, local: string[] = []): MemberInfo => ({ memberId, owned, ownedGeneration, local });

function counts(n: number, ...topics: string[]): Map<string, number> {
  return new Map(topics.map((t) => [t, n]));
}

describe('tasksOf', () => {
  it('makes one task per sub-topology and partition number, with the co-partitioned partitions together', () => {
    const subtopologies = new Map([
      ['left', 0],
      ['right', 0],
      ['app-x-repartition', 1],
    ]);
    const tasks = tasksOf(
      new Map([
        ['left', 2],
        ['right', 2],
        ['app-x-repartition', 3],
      ]),
      subtopologies,
    );
    expect(tasks.map((t) => [t.id, t.partitions.map((p) => `${p.topic}-${p.partition}`)])).toEqual([
      ['0_0', ['left-0', 'right-0']],
      ['0_1', ['left-1', 'right-1']],
      ['1_0', ['app-x-repartition-0']],
      ['1_1', ['app-x-repartition-1']],
      ['1_2', ['app-x-repartition-2']],
    ]);
  });

  it('has as many tasks as the largest source topic of a sub-topology', () => {
    const tasks = tasksOf(new Map([['a', 1], ['b', 3]]), new Map([['a', 0], ['b', 0]]));
    expect(tasks.map((t) => [t.id, t.partitions.length])).toEqual([
      ['0_0', 2],
      ['0_1', 1],
      ['0_2', 1],
    ]);
  });
});

describe('assignTasks', () => {
  const tasks = tasksOf(counts(4, 'in', 'rep'), new Map([['in', 0], ['rep', 1]]));

  it('gives a lone member everything', () => {
    expect(assignTasks(tasks, [member('a')]).get('a')).toEqual(['0_0', '0_1', '0_2', '0_3', '1_0', '1_1', '1_2', '1_3']);
  });

  it('balances new members and spreads each sub-topology', () => {
    const a = assignTasks(tasks, [member('a'), member('b')]);
    expect(a.get('a')).toHaveLength(4);
    expect(a.get('b')).toHaveLength(4);
    for (const ids of a.values()) {
      expect(ids.filter((id) => id.startsWith('0_'))).toHaveLength(2);
      expect(ids.filter((id) => id.startsWith('1_'))).toHaveLength(2);
    }
  });

  it('is sticky: a joining member takes only what balance requires', () => {
    const all = ['0_0', '0_1', '0_2', '0_3', '1_0', '1_1', '1_2', '1_3'];
    const a = assignTasks(tasks, [member('a', all), member('b')]);
    expect(a.get('a')).toHaveLength(4);
    expect(a.get('b')).toHaveLength(4);
    expect(a.get('a')!.every((id) => all.includes(id))).toBe(true);
    // the survivor of two keeps its tasks and takes the other's
    const again = assignTasks(tasks, [member('a', a.get('a')!, 2)]);
    expect(again.get('a')).toEqual(all);
    // with both back, nothing moves
    const same = assignTasks(tasks, [member('a', a.get('a')!, 2), member('b', a.get('b')!, 2)]);
    expect(same.get('a')).toEqual(a.get('a'));
    expect(same.get('b')).toEqual(a.get('b'));
  });

  it('gives a returning member the tasks whose state it still has', () => {
    const all = ['0_0', '0_1', '0_2', '0_3', '1_0', '1_1', '1_2', '1_3'];
    const mine = ['0_1', '0_3', '1_0', '1_2'];
    const a = assignTasks(tasks, [member('a', all, 5), member('b', [], -1, mine)]);
    expect(a.get('b')).toEqual(mine);
  });

  it('keeps each sub-topology spread when a full member has old state of another full member\'s tasks', () => {
    // a once ran everything: it has a directory of every stateful task (sub-topology 1; the
    // stateless 0_x have none). a and b own 6 each; c joins with nothing.
    const t = tasksOf(counts(6, 'in', 'rep'), new Map([['in', 0], ['rep', 1]]));
    const all = t.map((x) => x.id).filter((id) => id.startsWith('1_'));
    const aOwned = ['0_0', '0_1', '0_2', '1_0', '1_1', '1_2'];
    const bOwned = ['0_3', '0_4', '0_5', '1_3', '1_4', '1_5'];
    const r = assignTasks(t, [member('a', aOwned, 2, all), member('b', bOwned, 2, ['1_3', '1_4', '1_5']), member('c')]);
    for (const ids of r.values()) {
      expect(ids).toHaveLength(4);
      expect(ids.filter((id) => id.startsWith('0_'))).toHaveLength(2);
      expect(ids.filter((id) => id.startsWith('1_'))).toHaveLength(2);
    }
    // State on a member with room still decides what moves to it.
    const back = assignTasks(t, [member('a', [...aOwned, ...bOwned], 3, all), member('b', [], -1, ['1_0', '1_1', '1_2'])]);
    expect(back.get('b')).toEqual(expect.arrayContaining(['1_0', '1_1', '1_2']));
  });

  it('trusts the newest claim when two members say they own a task (a zombie lost it)', () => {
    const a = assignTasks(tasks, [member('zombie', ['0_0', '0_1'], 1), member('b', ['0_0', '0_1', '0_2', '0_3'], 3)]);
    expect(a.get('b')).toEqual(expect.arrayContaining(['0_0', '0_1', '0_2', '0_3']));
  });

  it('assigns every task exactly once for any group size', () => {
    for (let m = 1; m <= 9; m++) {
      const members = Array.from({ length: m }, (_, i) => member(`m${i}`));
      const a = assignTasks(tasks, members);
      const all = [...a.values()].flat().sort();
      expect(all).toEqual(tasks.map((t) => t.id).sort());
      const sizes = [...a.values()].map((l) => l.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });
});

describe('cooperative rebalancing (KIP-429)', () => {
  const tasks = tasksOf(counts(4, 'in', 'rep'), new Map([['in', 0], ['rep', 1]]));
  const all = ['0_0', '0_1', '0_2', '0_3', '1_0', '1_1', '1_2', '1_3'];
  const coop = (memberId: string, owned: string[] = [], gen = 1): MemberInfo => ({ ...member(memberId, owned, gen), cooperative: true });

  it('never hands a task to its new owner in the generation that takes it from a cooperative owner', () => {
    const members = [coop('a', all.slice(0, 4)), coop('b', all.slice(4)), coop('c')];
    const target = assignTasks(tasks, members);
    const { assignment, withheld } = withholdMovingTasks(target, members);
    // c's target share (2 or 3 tasks, taken from a and b) is withheld this round; a and b just lose them.
    expect(target.get('c')!.length).toBeGreaterThanOrEqual(2);
    expect(assignment.get('c')).toEqual([]);
    expect([...withheld.keys()].sort()).toEqual([...target.get('c')!].sort());
    for (const id of target.get('c')!) expect(withheld.get(id)).toBe(all.slice(0, 4).includes(id) ? 'a' : 'b');
    // a and b keep only what the target leaves them: nothing moves between them.
    expect(assignment.get('a')!.every((id) => all.slice(0, 4).includes(id))).toBe(true);
    expect(assignment.get('b')!.every((id) => all.slice(4).includes(id))).toBe(true);
    // Follow-up rebalance: a and b claim what they kept, the freed tasks go to c; balance and stickiness as before.
    const next = [coop('a', assignment.get('a')!, 2), coop('b', assignment.get('b')!, 2), coop('c', [], 2)];
    const second = withholdMovingTasks(assignTasks(tasks, next), next);
    expect(second.withheld.size).toBe(0);
    expect(second.assignment.get('a')).toEqual(assignment.get('a'));
    expect(second.assignment.get('b')).toEqual(assignment.get('b'));
    expect([...second.assignment.get('c')!].sort()).toEqual([...withheld.keys()].sort());
    const sizes = [...second.assignment.values()].map((l) => l.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('members announce the cooperative protocol in their subscription', () => {
    expect(decodeSubscription('m', encodeSubscription(['in'], { owned: ['0_1'], ownedGeneration: 2, local: [], cooperative: true })).cooperative).toBe(true);
    expect(decodeSubscription('m', encodeSubscription(['in'], { owned: ['0_1'], ownedGeneration: 2, local: [] })).cooperative).toBeUndefined();
  });

  it('routes queries for a withheld task to the member that still has it', () => {
    const members = [coop('a', all), coop('b')];
    const { assignment, routing } = withholdMovingTasks(assignTasks(tasks, members), members);
    expect(assignment.get('b')).toEqual([]);
    expect(routing.get('a')).toEqual(all);
  });

  it('moves the tasks of a member that left, and of an eager member, at once', () => {
    // b left: a's claim is all that is seen; the new member c gets b's tasks directly.
    const left = [coop('a', all.slice(0, 4), 3), coop('c', [], 3)];
    const r1 = withholdMovingTasks(assignTasks(tasks, left), left);
    expect(r1.withheld.size).toBe(0);
    expect(r1.assignment.get('c')).toEqual(all.slice(4));
    // an eager owner revoked everything before it joined: its tasks may go to another member now.
    const eager = [member('a', all, 3), coop('b', [], 3)];
    const r2 = withholdMovingTasks(assignTasks(tasks, eager), eager);
    expect(r2.withheld.size).toBe(0);
    expect(r2.assignment.get('b')).toHaveLength(4);
  });

  it('a zombie\'s stale claim withholds nothing: the newest claim decides who must revoke', () => {
    const members = [coop('zombie', ['0_0', '0_1'], 1), coop('b', all, 3), coop('c', [], 3)];
    const { assignment, withheld } = withholdMovingTasks(assignTasks(tasks, members), members);
    for (const owner of withheld.values()) expect(owner).toBe('b');
    // Tasks handed out now are never ones b still owns.
    for (const id of [...assignment.get('zombie')!, ...assignment.get('c')!]) expect(withheld.has(id)).toBe(false);
    const given = [...assignment.values()].flat();
    expect(new Set(given).size).toBe(given.length);
    expect([...given, ...withheld.keys()].sort()).toEqual([...all].sort());
  });
});

describe('the kafkajs assigner', () => {
  it('round-trips subscriptions and assignments in the consumer protocol', async () => {
    const subtopologies = new Map([['in', 0]]);
    const cluster = { findTopicPartitionMetadata: (t: string) => (t === 'in' ? [0, 1, 2].map((partitionId) => ({ partitionId, leader: 1 })) : []) };
    const assigner = taskAssigner({ subtopologies, owned: () => ({ tasks: ['0_1'], generation: 4 }), local: () => ['0_2'] })({
      cluster: cluster as never,
      groupId: 'g',
      logger: undefined as never,
    });
    const protocol = assigner.protocol({ topics: ['in'] });
    expect(decodeSubscription('x', protocol.metadata)).toEqual({ memberId: 'x', owned: ['0_1'], ownedGeneration: 4, local: ['0_2'] });
    expect(AssignerProtocol.MemberMetadata.decode(protocol.metadata)!.topics).toEqual(['in']);
    const result = await assigner.assign({
      members: [
        { memberId: 'x', memberMetadata: protocol.metadata },
        { memberId: 'y', memberMetadata: encodeSubscription(['in'], { owned: [], ownedGeneration: -1, local: [] }) },
      ],
      topics: ['in'],
    });
    const byMember = new Map(result.map((r) => [r.memberId, decodeAssignment(r.memberAssignment)]));
    expect(byMember.get('x')!.tasks).toContain('0_1');
    const partitions = [...byMember.values()].flatMap((a) => a.partitions.map((p) => p.partition)).sort();
    expect(partitions).toEqual([0, 1, 2]);
  });

  it('shares every member\'s application.server and tasks in each assignment (interactive query routing)', async () => {
    const subtopologies = new Map([['in', 0]]);
    const cluster = { findTopicPartitionMetadata: (t: string) => (t === 'in' ? [0, 1, 2, 3].map((partitionId) => ({ partitionId, leader: 1 })) : []) };
    const assigner = taskAssigner({ subtopologies, owned: () => ({ tasks: [], generation: -1 }), local: () => [], server: 'host-a:8001' })({
      cluster: cluster as never,
      groupId: 'g',
      logger: undefined as never,
    });
    const protocol = assigner.protocol({ topics: ['in'] });
    expect(decodeSubscription('a', protocol.metadata).server).toBe('host-a:8001');
    const result = await assigner.assign({
      members: [
        { memberId: 'a', memberMetadata: protocol.metadata },
        { memberId: 'b', memberMetadata: encodeSubscription(['in'], { owned: [], ownedGeneration: -1, local: [], server: 'host-b:8002' }) },
        { memberId: 'c', memberMetadata: encodeSubscription(['in'], { owned: [], ownedGeneration: -1, local: [] }) },
      ],
      topics: ['in'],
    });
    const byMember = new Map(result.map((r) => [r.memberId, decodeAssignment(r.memberAssignment)]));
    const hosts = byMember.get('c')!.hosts;
    // Every member learns the same map; a member without a server is not in it.
    for (const a of byMember.values()) expect(a.hosts).toEqual(hosts);
    expect([...hosts.keys()].sort()).toEqual(['host-a:8001', 'host-b:8002']);
    expect(hosts.get('host-a:8001')).toEqual(byMember.get('a')!.tasks);
    expect(hosts.get('host-b:8002')).toEqual(byMember.get('b')!.tasks);
    expect(byMember.get('c')!.tasks.length).toBeGreaterThan(0);
  });
});
