/**
 * Where the standby replicas of stateful tasks go (Kafka Streams' num.standby.replicas): each
 * replica of a task on a different member, never on the task's active member, spread so that
 * members carry about the same number of tasks (active + standby), preferring a member that has
 * the task's state on disk already (it was a standby or the owner before: stickiness).
 */
import type { MemberInfo, TaskSpec } from './task-assigner.js';
import { compareTaskIds } from './task-assigner.js';

/**
 * member id → standby task ids. `active` is the assignment of active tasks (member id → task ids);
 * `stateful` says which tasks have stores (only those get standbys). With fewer other members
 * than replicas, a task gets as many standbys as there are other members.
 */
export function placeStandbys(
  tasks: readonly TaskSpec[],
  members: readonly MemberInfo[],
  active: ReadonlyMap<string, readonly string[]>,
  replicas: number,
  stateful: (task: TaskSpec) => boolean,
): Map<string, string[]> {
  const standbys = new Map<string, string[]>();
  const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  for (const m of sorted) standbys.set(m.memberId, []);
  if (replicas <= 0 || sorted.length < 2) return standbys;
  const activeOwner = new Map<string, string>();
  const load = new Map<string, number>();
  for (const m of sorted) {
    const ids = active.get(m.memberId) ?? [];
    load.set(m.memberId, ids.length);
    for (const id of ids) activeOwner.set(id, m.memberId);
  }
  const localOf = new Map(sorted.map((m) => [m.memberId, new Set(m.local)]));
  for (const task of tasks) {
    if (!stateful(task)) continue;
    const holders = new Set<string>();
    const owner = activeOwner.get(task.id);
    if (owner !== undefined) holders.add(owner);
    for (let r = 0; r < replicas; r++) {
      let best: string | null = null;
      let bestScore = Infinity;
      for (const m of sorted) {
        if (holders.has(m.memberId)) continue;
        // Local state is worth one task of load: balance first, stickiness within one task.
        const score = 2 * load.get(m.memberId)! - (localOf.get(m.memberId)!.has(task.id) ? 3 : 0);
        if (score < bestScore) {
          best = m.memberId;
          bestScore = score;
        }
      }
      if (best === null) break;
      holders.add(best);
      standbys.get(best)!.push(task.id);
      load.set(best, load.get(best)! + 1);
    }
  }
  for (const list of standbys.values()) list.sort(compareTaskIds);
  return standbys;
}
