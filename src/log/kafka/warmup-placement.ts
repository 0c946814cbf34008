/**
 * Warm-up replicas (Kafka Streams' KIP-441 high-availability assignment): a stateful task that the
 * balanced assignment moves from a member that is caught up on its state to one that is not stays
 * with its current owner, and the new member gets a warm-up replica instead (a standby that
 * restores the task's changelog while the owner keeps processing). A probing rebalance later
 * finds the warm-up caught up (lag ≤ acceptable.recovery.lag) and the task moves then, with only
 * the tail left to restore. At most max.warmup.replicas warm-ups exist at once; a task held back
 * beyond that stays with its owner without one until a later probing rebalance.
 */
import type { MemberInfo, TaskSpec } from './task-assigner.js';
import { compareTaskIds } from './task-assigner.js';

export interface WarmupSettings {
  /** acceptable.recovery.lag: the changelog records a member may lack and still count as caught up. */
  readonly acceptableRecoveryLag: number;
  /** max.warmup.replicas. */
  readonly maxWarmupReplicas: number;
}

/** A member's offset sum for a task that it runs, caught up (Kafka Streams' Task.LATEST_OFFSET). */
export const LATEST_OFFSET = -2;

/**
 * How far behind each member's state of a task is: `endSums` holds, per stateful task, the sum of
 * its changelog partitions' end offsets; a member's offset sum is what its subscription reported
 * (LATEST_OFFSET for a task it runs, the applied offsets of a standby). A member with the task's
 * directory on disk but no report (a task it ran before a restart) counts as caught up, as the
 * assignment preferred such members before warm-ups existed; one with nothing lags by the whole
 * changelog.
 */
export function taskLag(member: MemberInfo, taskId: string, endSums: ReadonlyMap<string, number>): number {
  const end = endSums.get(taskId) ?? 0;
  const sum = member.offsetSums?.[taskId];
  if (sum === LATEST_OFFSET) return 0;
  if (sum === undefined || sum < 0) return member.local.includes(taskId) ? 0 : end;
  return Math.max(0, end - sum);
}

/**
 * Returns the active assignment with moves to members that are not caught up undone, and the
 * warm-up replicas (member id → task ids) to place on those members, and how many moves were
 * held back (a probing rebalance is due when any were). `owners` maps a task to the
 * member that holds it now (the newest claim). Deterministic for the same input.
 */
export function holdForWarmups(
  target: ReadonlyMap<string, readonly string[]>,
  members: readonly MemberInfo[],
  owners: ReadonlyMap<string, MemberInfo>,
  stateful: (task: TaskSpec) => boolean,
  tasks: ReadonlyMap<string, TaskSpec>,
  endSums: ReadonlyMap<string, number>,
  settings: WarmupSettings,
): { assignment: Map<string, string[]>; warmups: Map<string, string[]>; held: number } {
  const byId = new Map(members.map((m) => [m.memberId, m]));
  const assignment = new Map([...target].map(([m, ids]) => [m, [...ids]]));
  const warmups = new Map<string, string[]>(members.map((m) => [m.memberId, []]));
  let placed = 0;
  let held = 0;
  const moves: Array<{ to: string; id: string }> = [];
  for (const [memberId, ids] of target) for (const id of ids) moves.push({ to: memberId, id });
  moves.sort((a, b) => compareTaskIds(a.id, b.id));
  for (const { to, id } of moves) {
    const task = tasks.get(id);
    const from = owners.get(id);
    if (task === undefined || !stateful(task) || from === undefined || from.memberId === to || !byId.has(from.memberId)) continue;
    const newcomer = byId.get(to)!;
    if (taskLag(newcomer, id, endSums) <= settings.acceptableRecoveryLag) continue;
    if (taskLag(from, id, endSums) > settings.acceptableRecoveryLag) continue; // nobody is caught up: move now
    assignment.set(to, assignment.get(to)!.filter((t) => t !== id));
    assignment.get(from.memberId)!.push(id);
    held++;
    if (placed < settings.maxWarmupReplicas) {
      warmups.get(to)!.push(id);
      placed++;
    }
  }
  for (const list of [...assignment.values(), ...warmups.values()]) list.sort(compareTaskIds);
  return { assignment, warmups, held };
}
