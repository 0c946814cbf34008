import { describe, expect, it } from 'vitest';
import { decodeAssignment, decodeSubscription, encodeSubscription, taskAssigner } from './task-assigner.js';

describe('SHUTDOWN_APPLICATION through the assigner', () => {
  const cluster = { findTopicPartitionMetadata: (t: string) => (t === 'in' ? [0, 1, 2].map((partitionId) => ({ partitionId, leader: 1 })) : []) };
  const leader = taskAssigner({ subtopologies: new Map([['in', 0]]), owned: () => ({ tasks: ['0_0'], generation: 3 }), local: () => [] })({
    cluster: cluster as never,
    groupId: 'g',
    logger: undefined as never,
  });

  it('carries the request in the subscription of the member that asks', () => {
    const asking = taskAssigner({ subtopologies: new Map(), owned: () => ({ tasks: [], generation: -1 }), local: () => [], shutdown: () => true })({
      cluster: cluster as never,
      groupId: 'g',
      logger: undefined as never,
    });
    expect(decodeSubscription('s', asking.protocol({ topics: [] }).metadata).shutdown).toBe(true);
    expect(decodeSubscription('x', leader.protocol({ topics: ['in'] }).metadata).shutdown).toBeUndefined();
  });

  it('gives every member SHUTDOWN_REQUESTED and no partitions when one member asks', async () => {
    const result = await leader.assign({
      members: [
        { memberId: 'x', memberMetadata: leader.protocol({ topics: ['in'] }).metadata },
        { memberId: 'y', memberMetadata: encodeSubscription(['in'], { owned: ['0_1'], ownedGeneration: 3, local: [] }) },
        { memberId: 's', memberMetadata: encodeSubscription([], { owned: [], ownedGeneration: -1, local: [], shutdown: true }) },
      ],
      topics: ['in'],
    });
    expect(result.map((r) => r.memberId)).toEqual(['x', 'y', 's']);
    for (const r of result) {
      const a = decodeAssignment(r.memberAssignment);
      expect(a.shutdownRequested).toBe(true);
      expect(a.partitions).toEqual([]);
      expect(a.tasks).toEqual([]);
    }
  });

  it('assigns as usual when nobody asks', async () => {
    const result = await leader.assign({
      members: [
        { memberId: 'x', memberMetadata: leader.protocol({ topics: ['in'] }).metadata },
        { memberId: 'y', memberMetadata: encodeSubscription(['in'], { owned: [], ownedGeneration: -1, local: [] }) },
      ],
      topics: ['in'],
    });
    const decoded = result.map((r) => decodeAssignment(r.memberAssignment));
    expect(decoded.every((a) => !a.shutdownRequested)).toBe(true);
    expect(decoded.flatMap((a) => a.tasks).sort()).toEqual(['0_0', '0_1', '0_2']);
  });
});
