/**
 * Offset commits that go on while the group rebalances cooperatively. A commit carries the
 * member's generation; the coordinator accepts the current generation while members rejoin
 * (PreparingRebalance), answers REBALANCE_IN_PROGRESS between the JoinGroup responses and the
 * leader's SyncGroup (CompletingRebalance), and ILLEGAL_GENERATION to a commit that was sent just
 * before the generation changed. Neither means that this member lost its tasks while it is still
 * rejoining with a valid member id: the commit is sent again with the member's newest generation.
 * Anything else (unknown member, a fenced instance, a member that is not rejoining) is final, and
 * so is a new member id: a worker that rejoined as a new member lost the tasks it had (their new
 * owner may have committed past them already), so their offsets must not go out under the new id.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { GroupMembership } from './group-consumer.js';

const GENERATION_MOVING = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION']);

export class NotAMemberError extends Error {
  override readonly name = 'NotAMemberError';
  readonly type = 'UNKNOWN_MEMBER_ID';
}

/**
 * Calls `send` with the member's generation, again (within `timeoutMs`) while the group's
 * generation is moving under a member that is rejoining. `memberId`: the member that owned the
 * tasks whose offsets these are (by default the member at the first attempt).
 */
export async function commitWithMembership<T>(
  groupId: string,
  membership: () => GroupMembership | null,
  send: (member: GroupMembership) => Promise<T>,
  timeoutMs: number,
  memberId: string | null = membership()?.memberId ?? null,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    const member = membership();
    if (member === null) throw new NotAMemberError(`this worker is not a member of group ${groupId} now`);
    if (member.memberId !== memberId) {
      throw new NotAMemberError(`this worker rejoined group ${groupId} as a new member (${memberId ?? 'none'} → ${member.memberId}): the tasks of this commit were lost`);
    }
    try {
      return await send(member);
    } catch (error) {
      const type = (error as { type?: string } | null)?.type;
      if (type === undefined || !GENERATION_MOVING.has(type) || Date.now() >= deadline) throw error;
      const now = membership();
      const moved = now !== null && now.memberId === member.memberId && now.generationId !== member.generationId;
      if (!moved && now?.rebalancing !== true) throw error;
      if (!moved) await sleep(Math.min(200, 10 * attempt));
    }
  }
}
