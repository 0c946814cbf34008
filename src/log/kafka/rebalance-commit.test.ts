import { describe, expect, it } from 'vitest';
import type { GroupMembership } from './group-consumer.js';
import { NotAMemberError, commitWithMembership } from './rebalance-commit.js';

const kafkaError = (type: string) => Object.assign(new Error(type), { type });

describe('commitWithMembership', () => {
  it('sends again with the new generation when the generation moved under a rejoining member', async () => {
    let member: GroupMembership = { generationId: 4, memberId: 'm', rebalancing: true };
    const sent: number[] = [];
    const result = await commitWithMembership(
      'g',
      () => member,
      async (m) => {
        sent.push(m.generationId);
        if (m.generationId === 4) {
          member = { generationId: 5, memberId: 'm', rebalancing: true };
          throw kafkaError('ILLEGAL_GENERATION');
        }
        return 'ok';
      },
      5000,
    );
    expect(result).toBe('ok');
    expect(sent).toEqual([4, 5]);
  });

  it('waits out REBALANCE_IN_PROGRESS while the member is still rejoining', async () => {
    let calls = 0;
    const member: GroupMembership = { generationId: 7, memberId: 'm', rebalancing: true };
    const result = await commitWithMembership(
      'g',
      () => member,
      async () => {
        if (++calls < 3) throw kafkaError('REBALANCE_IN_PROGRESS');
        return calls;
      },
      5000,
    );
    expect(result).toBe(3);
  });

  it('gives up at once on a member that is not rejoining, on an unknown member, and after the deadline', async () => {
    const stable: GroupMembership = { generationId: 7, memberId: 'm', rebalancing: false };
    await expect(commitWithMembership('g', () => stable, () => Promise.reject(kafkaError('ILLEGAL_GENERATION')), 5000)).rejects.toMatchObject({ type: 'ILLEGAL_GENERATION' });
    const rejoining: GroupMembership = { ...stable, rebalancing: true };
    await expect(commitWithMembership('g', () => rejoining, () => Promise.reject(kafkaError('UNKNOWN_MEMBER_ID')), 5000)).rejects.toMatchObject({ type: 'UNKNOWN_MEMBER_ID' });
    await expect(commitWithMembership('g', () => null, () => Promise.resolve(1), 5000)).rejects.toBeInstanceOf(NotAMemberError);
    let calls = 0;
    const started = Date.now();
    await expect(
      commitWithMembership(
        'g',
        () => rejoining,
        () => {
          calls++;
          return Promise.reject(kafkaError('REBALANCE_IN_PROGRESS'));
        },
        150,
      ),
    ).rejects.toMatchObject({ type: 'REBALANCE_IN_PROGRESS' });
    expect(calls).toBeGreaterThan(1);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
