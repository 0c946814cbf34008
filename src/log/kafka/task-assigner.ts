/**
 * The group's partition assigner, as a kafkajs PartitionAssigner: it assigns *tasks* (one
 * sub-topology over one partition number, as Kafka Streams does), so the co-partitioned
 * partitions of a task always go to the same member. Balanced (members get ⌊T/M⌋ or ⌈T/M⌉
 * tasks, spread over sub-topologies) and sticky: a member keeps the tasks it owned in the previous
 * generation, and a task that must move prefers a member that has its state on disk.
 *
 * Members describe themselves in their subscription's user data (JSON): the tasks they own with
 * the generation they got them in, the tasks whose stores they hold locally, and the host:port
 * where they answer interactive queries (application.server). The assignment's user data lists
 * each member's tasks and, for every member with a host, that host's tasks (Kafka Streams'
 * partitionsByHost), so every member can route a query for any key. Version 2 of the assignment
 * adds each member's standby tasks (num.standby.replicas, standby-placement.ts) and the standby
 * tasks of each host; members of version 1 ignore those fields. Members also report how far their
 * state of each task has come (changelog offset sums, as Kafka Streams does), so the leader can
 * hold a task with a caught-up owner while a warm-up replica restores it elsewhere
 * (warmup-placement.ts), and schedule a probing rebalance.
 */
import { AssignerProtocol, type Assigner, type GroupMember, type GroupMemberAssignment, type PartitionAssigner } from 'kafkajs';
import { SHUTDOWN_REQUESTED } from '../shutdown-requested.js';
import { placeStandbys } from './standby-placement.js';
import { holdForWarmups, type WarmupSettings } from './warmup-placement.js';

export const TASK_ASSIGNER_NAME = 'kstream-tasks';
const VERSION = 1;
/** Version of the assignment's user data (2: standby tasks). */
const ASSIGNMENT_VERSION = 2;

export interface TaskSpec {
  readonly id: string;
  readonly subtopology: number;
  readonly partition: number;
  readonly partitions: ReadonlyArray<{ readonly topic: string; readonly partition: number }>;
}

export interface MemberInfo {
  readonly memberId: string;
  /** Tasks the member owned, and the generation it owned them in. */
  readonly owned: readonly string[];
  readonly ownedGeneration: number;
  /** Tasks whose state the member has on disk. */
  readonly local: readonly string[];
  /** application.server of the member, when it has one. */
  readonly server?: string;
  /** The member asks the whole application to shut down (SHUTDOWN_APPLICATION). */
  readonly shutdown?: boolean;
  /** The member rebalances cooperatively: it keeps its tasks while the group rebalances. */
  readonly cooperative?: boolean;
  /** Task id → the sum of the changelog offsets the member's state of the task has reached (LATEST_OFFSET: it runs the task). */
  readonly offsetSums?: Readonly<Record<string, number>>;
}

/** What a member says of itself in its subscription (MemberInfo without the id the coordinator gives). */
export type SubscriptionClaim = Omit<MemberInfo, 'memberId'>;

/** Subscription user data. */
interface SubscriptionData {
  v: number;
  owned: string[];
  gen: number;
  local: string[];
  srv?: string;
  /** 1: SHUTDOWN_APPLICATION requested by this member. */
  shutdown?: number;
  /** Set by members that rebalance cooperatively (KIP-429). */
  coop?: boolean;
  /** Task id → changelog offset sum of the member's state (KIP-441). */
  offs?: Record<string, number>;
}

/** Assignment user data. */
export interface AssignmentData {
  v: number;
  tasks: string[];
  /** host:port → task ids, for the members that serve queries. */
  hosts?: Record<string, string[]>;
  /** Kafka Streams' AssignorError code (SHUTDOWN_REQUESTED: every member stops). */
  err?: number;
  /** Standby tasks of the member (version 2). */
  standby?: string[];
  /** host:port → standby task ids (version 2). */
  standbyHosts?: Record<string, string[]>;
  /** Warm-up replicas of the member: standbys of tasks it is about to get (version 2). */
  warm?: string[];
  /** Rejoin after this many ms (a probing rebalance: are the warm-ups caught up?). */
  probe?: number;
}

export function taskId(subtopology: number, partition: number): string {
  return `${subtopology}_${partition}`;
}

/**
 * The tasks over the given topics: a sub-topology has as many tasks as its largest source topic
 * has partitions; task (s, p) reads partition p of each of its topics that has one. Topics
 * without a known sub-topology form their own (numbered after the known ones).
 */
export function tasksOf(partitionCounts: ReadonlyMap<string, number>, subtopologies: ReadonlyMap<string, number>): TaskSpec[] {
  const bySubtopology = new Map<number, string[]>();
  let next = Math.max(-1, ...subtopologies.values()) + 1;
  for (const topic of [...partitionCounts.keys()].sort()) {
    let st = subtopologies.get(topic);
    if (st === undefined) st = 10_000 + next++;
    let list = bySubtopology.get(st);
    if (list === undefined) bySubtopology.set(st, (list = []));
    list.push(topic);
  }
  const tasks: TaskSpec[] = [];
  for (const st of [...bySubtopology.keys()].sort((a, b) => a - b)) {
    const topics = bySubtopology.get(st)!;
    const count = Math.max(...topics.map((t) => partitionCounts.get(t)!));
    for (let p = 0; p < count; p++) {
      const partitions = topics.filter((t) => p < partitionCounts.get(t)!).map((topic) => ({ topic, partition: p }));
      tasks.push({ id: taskId(st, p), subtopology: st, partition: p, partitions });
    }
  }
  return tasks;
}

/**
 * Assigns tasks to members: sticky first, then balanced. Deterministic for the same input.
 * Returns member id → task ids.
 */
export function assignTasks(tasks: readonly TaskSpec[], members: readonly MemberInfo[]): Map<string, string[]> {
  const result = new Map<string, string[]>();
  const sorted = sortedById(members);
  for (const m of sorted) result.set(m.memberId, []);
  if (sorted.length === 0 || tasks.length === 0) return result;
  const taskById = new Map(tasks.map((t) => [t.id, t]));

  const owner = currentOwners(sorted, taskById);
  const ownedBy = new Map<string, string[]>();
  for (const m of sorted) ownedBy.set(m.memberId, []);
  for (const [id, m] of owner) ownedBy.get(m.memberId)!.push(id);

  // Quotas: ⌊T/M⌋ each, and one more for the T mod M members that owned the most.
  const base = Math.floor(tasks.length / sorted.length);
  const extra = tasks.length % sorted.length;
  const byOwned = [...sorted].sort((a, b) => ownedBy.get(b.memberId)!.length - ownedBy.get(a.memberId)!.length);
  const quota = new Map<string, number>();
  byOwned.forEach((m, i) => quota.set(m.memberId, base + (i < extra ? 1 : 0)));

  const perSubtopology = new Map<string, Map<number, number>>();
  for (const m of sorted) perSubtopology.set(m.memberId, new Map());
  const give = (memberId: string, task: TaskSpec) => {
    result.get(memberId)!.push(task.id);
    const counts = perSubtopology.get(memberId)!;
    counts.set(task.subtopology, (counts.get(task.subtopology) ?? 0) + 1);
  };

  // Sticky pass: keep owned tasks up to the quota. A member with too many gives up first the
  // tasks that another member with room has state for, then tasks of its most crowded
  // sub-topology. (State on a member that is full itself does not help: it takes nothing, and
  // giving up such tasks first would skew the sub-topologies, e.g. old task directories of a
  // worker that once ran everything.)
  const localOf = new Map(sorted.map((m) => [m.memberId, new Set(m.local)]));
  const hasRoom = new Set(sorted.filter((m) => ownedBy.get(m.memberId)!.length < quota.get(m.memberId)!).map((m) => m.memberId));
  const heldElsewhere = (task: TaskSpec, self: string) => sorted.some((o) => o.memberId !== self && hasRoom.has(o.memberId) && localOf.get(o.memberId)!.has(task.id));
  const assigned = new Set<string>();
  for (const m of sorted) {
    let keep = ownedBy.get(m.memberId)!.map((id) => taskById.get(id)!);
    const q = quota.get(m.memberId)!;
    while (keep.length > q) {
      const counts = new Map<number, number>();
      for (const t of keep) counts.set(t.subtopology, (counts.get(t.subtopology) ?? 0) + 1);
      let drop = -1;
      let dropKey: [number, number, number] | null = null;
      for (let i = 0; i < keep.length; i++) {
        const t = keep[i]!;
        const key: [number, number, number] = [heldElsewhere(t, m.memberId) ? 1 : 0, counts.get(t.subtopology)!, t.partition];
        if (dropKey === null || key[0] > dropKey[0] || (key[0] === dropKey[0] && (key[1] > dropKey[1] || (key[1] === dropKey[1] && key[2] > dropKey[2])))) {
          drop = i;
          dropKey = key;
        }
      }
      keep = keep.filter((_, i) => i !== drop);
    }
    for (const t of keep) {
      give(m.memberId, t);
      assigned.add(t.id);
    }
  }

  // Fill pass: each remaining task to a member with room, preferring local state, then the fewest
  // tasks of that sub-topology, then the fewest tasks.
  for (const t of tasks) {
    if (assigned.has(t.id)) continue;
    let best: MemberInfo | null = null;
    let bestKey: [number, number, number] | null = null;
    for (const m of sorted) {
      const count = result.get(m.memberId)!.length;
      if (count >= quota.get(m.memberId)!) continue;
      const key: [number, number, number] = [
        localOf.get(m.memberId)!.has(t.id) ? 0 : 1,
        perSubtopology.get(m.memberId)!.get(t.subtopology) ?? 0,
        count,
      ];
      if (bestKey === null || key[0] < bestKey[0] || (key[0] === bestKey[0] && (key[1] < bestKey[1] || (key[1] === bestKey[1] && key[2] < bestKey[2])))) {
        best = m;
        bestKey = key;
      }
    }
    give(best!.memberId, t);
    assigned.add(t.id);
  }
  for (const list of result.values()) list.sort(compareTaskIds);
  return result;
}

/**
 * KIP-429's rule: a task that moves away from a member that rebalances cooperatively is only taken
 * from it in this generation (that member keeps processing it until it revokes it, then rejoins),
 * and given to its new owner in the follow-up rebalance. A task of an eager member (which revoked
 * everything before joining) or of a member that left moves at once. Returns the assignment to send
 * and the routing for interactive queries (a withheld task is still served by its owner).
 */
export function withholdMovingTasks(
  target: ReadonlyMap<string, readonly string[]>,
  members: readonly MemberInfo[],
): { assignment: Map<string, string[]>; routing: Map<string, string[]>; withheld: Map<string, string> } {
  const owner = currentOwners(sortedById(members));
  const withheld = new Map<string, string>();
  const assignment = new Map<string, string[]>();
  for (const [memberId, ids] of target) {
    assignment.set(
      memberId,
      ids.filter((id) => {
        const o = owner.get(id);
        if (o === undefined || o.memberId === memberId || o.cooperative !== true) return true;
        withheld.set(id, o.memberId);
        return false;
      }),
    );
  }
  const routing = new Map([...assignment].map(([m, ids]) => [m, [...ids]]));
  for (const [id, memberId] of withheld) routing.get(memberId)?.push(id);
  for (const ids of routing.values()) ids.sort(compareTaskIds);
  return { assignment, routing, withheld };
}

/**
 * Task id → the member that owned it last: the claim of the newest generation wins (a zombie's
 * stale claim loses); `members` sorted by id, so that ties go the same way everywhere.
 */
function currentOwners(members: readonly MemberInfo[], known?: ReadonlyMap<string, unknown>): Map<string, MemberInfo> {
  const owner = new Map<string, MemberInfo>();
  for (const m of members) {
    for (const id of m.owned) {
      if (known !== undefined && !known.has(id)) continue;
      const prev = owner.get(id);
      if (prev === undefined || m.ownedGeneration > prev.ownedGeneration) owner.set(id, m);
    }
  }
  return owner;
}

function sortedById(members: readonly MemberInfo[]): MemberInfo[] {
  return [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
}

export function compareTaskIds(a: string, b: string): number {
  const [sa, pa] = a.split('_').map(Number) as [number, number];
  const [sb, pb] = b.split('_').map(Number) as [number, number];
  return sa - sb || pa - pb;
}

export function encodeSubscription(topics: readonly string[], claim: SubscriptionClaim): Buffer {
  const data: SubscriptionData = { v: VERSION, owned: [...claim.owned], gen: claim.ownedGeneration, local: [...claim.local] };
  if (claim.server !== undefined) data.srv = claim.server;
  if (claim.cooperative === true) data.coop = true;
  if (claim.shutdown === true) data.shutdown = 1;
  if (claim.offsetSums !== undefined && Object.keys(claim.offsetSums).length > 0) data.offs = { ...claim.offsetSums };
  return AssignerProtocol.MemberMetadata.encode({ version: VERSION, topics: [...topics], userData: Buffer.from(JSON.stringify(data)) });
}

export function decodeSubscription(memberId: string, metadata: Buffer): MemberInfo {
  const decoded = AssignerProtocol.MemberMetadata.decode(metadata);
  let data: Partial<SubscriptionData> = {};
  try {
    if (decoded?.userData && decoded.userData.length > 0) data = JSON.parse(decoded.userData.toString('utf8')) as SubscriptionData;
  } catch {
    /* a member of another version: no stickiness hints */
  }
  return {
    memberId,
    owned: Array.isArray(data.owned) ? data.owned : [],
    ownedGeneration: typeof data.gen === 'number' ? data.gen : -1,
    local: Array.isArray(data.local) ? data.local : [],
    ...(typeof data.srv === 'string' ? { server: data.srv } : {}),
    ...(data.shutdown === 1 ? { shutdown: true } : {}),
    ...(data.coop === true ? { cooperative: true } : {}),
    ...(offsetSumsOf(data.offs) ?? {}),
  };
}

function offsetSumsOf(value: unknown): { offsetSums: Record<string, number> } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const sums: Record<string, number> = {};
  for (const [id, sum] of Object.entries(value)) if (typeof sum === 'number' && Number.isFinite(sum)) sums[id] = sum;
  return { offsetSums: sums };
}

/** host:port → task ids of every member that has a host (members sharing one host are merged). */
export function tasksByHost(members: readonly MemberInfo[], assignment: ReadonlyMap<string, readonly string[]>): Record<string, string[]> {
  const hosts: Record<string, string[]> = {};
  for (const m of members) {
    if (m.server === undefined) continue;
    const list = (hosts[m.server] ??= []);
    list.push(...(assignment.get(m.memberId) ?? []));
    list.sort(compareTaskIds);
  }
  return hosts;
}

function hostsOf(value: unknown): Map<string, string[]> {
  const hosts = new Map<string, string[]>();
  if (typeof value !== 'object' || value === null) return hosts;
  for (const [host, tasks] of Object.entries(value)) {
    if (Array.isArray(tasks)) hosts.set(host, tasks.filter((t): t is string => typeof t === 'string'));
  }
  return hosts;
}

export interface DecodedAssignment {
  partitions: Array<{ topic: string; partition: number }>;
  tasks: string[];
  hosts: Map<string, string[]>;
  standby: string[];
  standbyHosts: Map<string, string[]>;
  /** Warm-up replicas (also in `standby`). */
  warmups: string[];
  /** Rejoin after this many ms for a probing rebalance; null when none is due. */
  probeAfterMs: number | null;
  shutdownRequested: boolean;
}

export function decodeAssignment(buffer: Buffer): DecodedAssignment {
  const decoded = AssignerProtocol.MemberAssignment.decode(buffer);
  const out: DecodedAssignment = { partitions: [], tasks: [], hosts: new Map(), standby: [], standbyHosts: new Map(), warmups: [], probeAfterMs: null, shutdownRequested: false };
  if (decoded === null) return out;
  for (const [topic, list] of Object.entries(decoded.assignment)) for (const partition of list) out.partitions.push({ topic, partition });
  try {
    if (decoded.userData && decoded.userData.length > 0) {
      const data = JSON.parse(decoded.userData.toString('utf8')) as AssignmentData;
      out.tasks = data.tasks ?? [];
      out.hosts = hostsOf(data.hosts);
      if (Array.isArray(data.standby)) out.standby = data.standby.filter((t): t is string => typeof t === 'string');
      out.standbyHosts = hostsOf(data.standbyHosts);
      if (Array.isArray(data.warm)) out.warmups = data.warm.filter((t): t is string => typeof t === 'string');
      for (const id of out.warmups) if (!out.standby.includes(id)) out.standby.push(id);
      if (typeof data.probe === 'number' && data.probe > 0) out.probeAfterMs = data.probe;
      out.shutdownRequested = data.err === SHUTDOWN_REQUESTED;
    }
  } catch {
    /* no task list: the member derives tasks from partitions */
  }
  return out;
}

/** An assignment of nothing that tells the member to shut down (every member gets one). */
function shutdownAssignment(memberId: string): GroupMemberAssignment {
  const userData: AssignmentData = { v: VERSION, tasks: [], err: SHUTDOWN_REQUESTED };
  return { memberId, memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: VERSION, assignment: {}, userData: Buffer.from(JSON.stringify(userData)) }) };
}

/** What the assigner needs to know about the local member and the application. */
export interface TaskAssignerContext {
  /** Physical source topic → sub-topology id. */
  readonly subtopologies: ReadonlyMap<string, number>;
  /** Tasks this member owns now and the generation it got them in. */
  owned(): { tasks: readonly string[]; generation: number };
  /** Tasks whose state this member has on disk. */
  local(): readonly string[];
  /** This member's application.server, if it serves interactive queries. */
  readonly server?: string;
  /** Whether this member asks every member to shut down (SHUTDOWN_APPLICATION). */
  readonly shutdown?: () => boolean;
  /** This member rebalances cooperatively (it announces so in its subscription). */
  readonly cooperative?: boolean;
  /** num.standby.replicas (used when this member leads the group). */
  readonly standbyReplicas?: number;
  /** Sub-topologies with state stores (only their tasks get standbys). */
  readonly statefulSubtopologies?: ReadonlySet<number>;
  /** Changelog offset sum of each task whose state this member has (LATEST_OFFSET for those it runs). */
  offsetSums?(): Readonly<Record<string, number>>;
  /** Warm-up replicas (used when this member leads the group); none without. */
  readonly warmups?: WarmupSettings & {
    readonly probingRebalanceIntervalMs: number;
    /** Per stateful task, the sum of its changelog partitions' end offsets. */
    changelogEndSums(tasks: readonly TaskSpec[]): Promise<Map<string, number>>;
  };
  /** Called with the assignment the leader computed (for logging). */
  onAssignment?(assignment: ReadonlyMap<string, readonly string[]>, generation?: number): void;
}

/**
 * The kafkajs PartitionAssigner: `protocol()` announces this member's tasks, `assign()` (run by
 * the group leader) computes every member's tasks from the cluster's partition counts.
 */
export function taskAssigner(context: TaskAssignerContext): PartitionAssigner {
  return ({ cluster }) => {
    const assigner: Assigner = {
      name: TASK_ASSIGNER_NAME,
      version: VERSION,
      protocol({ topics }) {
        const { tasks, generation } = context.owned();
        const metadata = encodeSubscription(topics, {
          owned: tasks,
          ownedGeneration: generation,
          local: context.local(),
          ...(context.server !== undefined ? { server: context.server } : {}),
          cooperative: context.cooperative === true,
          shutdown: context.shutdown?.() === true,
          ...(context.offsetSums !== undefined ? { offsetSums: context.offsetSums() } : {}),
        });
        return { name: TASK_ASSIGNER_NAME, metadata };
      },
      async assign({ members, topics }): Promise<GroupMemberAssignment[]> {
        const counts = new Map<string, number>();
        for (const topic of topics) {
          const n = cluster.findTopicPartitionMetadata(topic).length;
          if (n > 0) counts.set(topic, n);
        }
        const tasks = tasksOf(counts, context.subtopologies);
        const byId = new Map(tasks.map((t) => [t.id, t]));
        const infos = members.map((m: GroupMember) => decodeSubscription(m.memberId, m.memberMetadata));
        if (infos.some((m) => m.shutdown === true)) return members.map((m: GroupMember) => shutdownAssignment(m.memberId));
        const statefulSubtopologies = context.statefulSubtopologies ?? new Set<number>();
        const stateful = (t: TaskSpec) => statefulSubtopologies.has(t.subtopology);
        let target = assignTasks(tasks, infos);
        let warmups = new Map<string, string[]>();
        let held = 0;
        if (context.warmups !== undefined && tasks.some(stateful)) {
          const endSums = await context.warmups.changelogEndSums(tasks.filter(stateful));
          ({ assignment: target, warmups, held } = holdForWarmups(target, infos, currentOwners(sortedById(infos)), stateful, byId, endSums, context.warmups));
        }
        const { assignment, routing } = withholdMovingTasks(target, infos);
        const standbys = placeStandbys(tasks, infos, routing, context.standbyReplicas ?? 0, stateful);
        for (const [memberId, ids] of warmups) {
          const list = standbys.get(memberId) ?? [];
          standbys.set(memberId, [...new Set([...list, ...ids])].sort(compareTaskIds));
        }
        // Tasks held back for a member that is not caught up: rebalance again later to move them.
        const probe = held > 0 ? context.warmups?.probingRebalanceIntervalMs : undefined;
        context.onAssignment?.(assignment);
        const hosts = tasksByHost(infos, routing);
        const standbyHosts = tasksByHost(infos, standbys);
        return members.map((m: GroupMember) => {
          const ids = assignment.get(m.memberId) ?? [];
          const parts: Record<string, number[]> = {};
          for (const id of ids) for (const tp of byId.get(id)!.partitions) (parts[tp.topic] ??= []).push(tp.partition);
          const userData: AssignmentData = { v: ASSIGNMENT_VERSION, tasks: ids, hosts, standby: standbys.get(m.memberId) ?? [], standbyHosts };
          const warm = warmups.get(m.memberId) ?? [];
          if (warm.length > 0) userData.warm = warm;
          if (probe !== undefined) userData.probe = probe;
          return {
            memberId: m.memberId,
            memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: VERSION, assignment: parts, userData: Buffer.from(JSON.stringify(userData)) }),
          };
        });
      },
    };
    return assigner;
  };
}
