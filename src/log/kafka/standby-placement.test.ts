import { describe, expect, it } from 'vitest';
import { AssignerProtocol } from 'kafkajs';
import { placeStandbys } from './standby-placement.js';
import { assignTasks, decodeAssignment, encodeSubscription, taskAssigner, tasksOf, type MemberInfo } from './task-assigner.js';

const member = (memberId: string, local: string[] = [], owned: string[] = [], ownedGeneration = 1): MemberInfo => ({ memberId, owned, ownedGeneration, local });
const all = () => true;

function ownerOf(assignment: ReadonlyMap<string, readonly string[]>): Map<string, string> {
  const owner = new Map<string, string>();
  for (const [m, ids] of assignment) for (const id of ids) owner.set(id, m);
  return owner;
}

describe('placeStandbys', () => {
  const tasks = tasksOf(new Map([['in', 6]]), new Map([['in', 0]]));

  it('never puts a standby on the member that runs the task, nor two replicas on one member', () => {
    for (const n of [2, 3, 4, 5]) {
      const members = Array.from({ length: n }, (_, i) => member(`m${i}`));
      const active = assignTasks(tasks, members);
      const owner = ownerOf(active);
      for (const replicas of [1, 2, 3]) {
        const standbys = placeStandbys(tasks, members, active, replicas, all);
        const holders = new Map<string, string[]>();
        for (const [m, ids] of standbys) {
          for (const id of ids) {
            expect(owner.get(id), `${id} on ${m}`).not.toBe(m);
            (holders.get(id) ?? holders.set(id, []).get(id)!).push(m);
          }
        }
        for (const t of tasks) {
          const h = holders.get(t.id) ?? [];
          // As many replicas as asked, at most one per other member.
          expect(h.length, `${t.id}, ${n} members, ${replicas} replicas`).toBe(Math.min(replicas, n - 1));
          expect(new Set(h).size).toBe(h.length);
        }
      }
    }
  });

  it('balances active + standby tasks over the members', () => {
    const members = [member('a'), member('b'), member('c')];
    const active = assignTasks(tasks, members);
    const standbys = placeStandbys(tasks, members, active, 1, all);
    const load = members.map((m) => active.get(m.memberId)!.length + standbys.get(m.memberId)!.length);
    expect(load).toEqual([4, 4, 4]);
    expect(members.map((m) => standbys.get(m.memberId)!.length)).toEqual([2, 2, 2]);
  });

  it('is sticky: a member with the task\'s state on disk keeps its standby', () => {
    const members = [member('a', ['0_0', '0_1', '0_2']), member('b', ['0_3', '0_4', '0_5'])];
    const active = new Map([
      ['a', ['0_3', '0_4', '0_5']],
      ['b', ['0_0', '0_1', '0_2']],
    ]);
    const standbys = placeStandbys(tasks, members, active, 1, all);
    expect(standbys.get('a')).toEqual(['0_0', '0_1', '0_2']);
    expect(standbys.get('b')).toEqual(['0_3', '0_4', '0_5']);
    // Three members, each with state of two tasks it does not run: each keeps those.
    const three = [member('a', ['0_2', '0_3']), member('b', ['0_4', '0_5']), member('c', ['0_0', '0_1'])];
    const active3 = new Map([
      ['a', ['0_0', '0_1']],
      ['b', ['0_2', '0_3']],
      ['c', ['0_4', '0_5']],
    ]);
    const s3 = placeStandbys(tasks, three, active3, 1, all);
    expect([...s3]).toEqual([
      ['a', ['0_2', '0_3']],
      ['b', ['0_4', '0_5']],
      ['c', ['0_0', '0_1']],
    ]);
  });

  it('gives no standbys with one member, zero replicas, or to stateless tasks', () => {
    const one = [member('a')];
    expect(placeStandbys(tasks, one, assignTasks(tasks, one), 1, all).get('a')).toEqual([]);
    const two = [member('a'), member('b')];
    const active = assignTasks(tasks, two);
    expect([...placeStandbys(tasks, two, active, 0, all).values()].flat()).toEqual([]);
    const mixed = tasksOf(new Map([['in', 2], ['app-x-repartition', 2]]), new Map([['in', 0], ['app-x-repartition', 1]]));
    const s = placeStandbys(mixed, two, assignTasks(mixed, two), 1, (t) => t.subtopology === 1);
    expect([...s.values()].flat().sort()).toEqual(['1_0', '1_1']);
  });
});

describe('standbys in the assignment user data', () => {
  it('hands each member its standby tasks and every host its standbys; the active tasks are unchanged', async () => {
    const cluster = { findTopicPartitionMetadata: (t: string) => (t === 'in' ? [0, 1, 2, 3].map((partitionId) => ({ partitionId, leader: 1 })) : []) };
    const assigner = taskAssigner({
      subtopologies: new Map([['in', 0]]),
      owned: () => ({ tasks: [], generation: -1 }),
      local: () => [],
      server: 'host-a:8001',
      standbyReplicas: 1,
      statefulSubtopologies: new Set([0]),
    })({ cluster: cluster as never, groupId: 'g', logger: undefined as never });
    const result = await assigner.assign({
      members: [
        { memberId: 'a', memberMetadata: assigner.protocol({ topics: ['in'] }).metadata },
        { memberId: 'b', memberMetadata: encodeSubscription(['in'], { owned: [], ownedGeneration: -1, local: [], server: 'host-b:8002' }) },
      ],
      topics: ['in'],
    });
    const a = decodeAssignment(result.find((r) => r.memberId === 'a')!.memberAssignment);
    const b = decodeAssignment(result.find((r) => r.memberId === 'b')!.memberAssignment);
    expect(a.tasks.length).toBe(2);
    expect(a.standby).toEqual(b.tasks);
    expect(b.standby).toEqual(a.tasks);
    expect(a.standbyHosts.get('host-a:8001')).toEqual(a.standby);
    expect(b.standbyHosts.get('host-b:8002')).toEqual(b.standby);
    // Version 2 user data; a reader of version 1 finds its fields where they were.
    const data = JSON.parse(AssignerProtocol.MemberAssignment.decode(result[0]!.memberAssignment)!.userData.toString('utf8'));
    expect(data.v).toBe(2);
    expect(Array.isArray(data.tasks)).toBe(true);
  });

  it('reads an assignment of version 1 (no standby fields) as no standbys', () => {
    const buffer = AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: { in: [0] }, userData: Buffer.from(JSON.stringify({ v: 1, tasks: ['0_0'] })) });
    const decoded = decodeAssignment(buffer);
    expect(decoded.tasks).toEqual(['0_0']);
    expect(decoded.standby).toEqual([]);
    expect(decoded.standbyHosts.size).toBe(0);
  });
});
