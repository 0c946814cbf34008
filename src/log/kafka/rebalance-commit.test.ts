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

  it('never sends the offsets under a new member id: a worker that rejoined as a new member lost those tasks', async () => {
    let member: GroupMembership = { generationId: 3, memberId: 'old', rebalancing: true };
    const sent: string[] = [];
    const error = await commitWithMembership(
      'g',
      () => member,
      async (m) => {
        sent.push(`${m.memberId}@${m.generationId}`);
        // Thrown out meanwhile: the worker rejoins under a new member id while its commit retries.
        member = { generationId: 6, memberId: 'new', rebalancing: true };
        throw kafkaError('REBALANCE_IN_PROGRESS');
      },
      5000,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotAMemberError);
    expect((error as Error).message).toBe('this worker rejoined group g as a new member (old → new): the tasks of this commit were lost');
    expect(sent).toEqual(['old@3']);
    // The owner is the member at the start of the commit, before the records were flushed.
    const late = await commitWithMembership('g', () => member, async () => 'sent', 5000, 'old').catch((e: unknown) => e);
    expect(late).toBeInstanceOf(NotAMemberError);
  });
});
