/**
 * The console's view of every worker of the application (`--workers N`, or instances on other
 * machines): this instance's status plus each other instance's GET /console/status.json, found
 * through the group's metadata (metadataForAllStreamsClients: every member with an
 * application.server). An instance that does not answer within a second is listed as unreachable.
 */
import type { KafkaStreams } from '../../runtime/kafka-streams.js';
import type { ConsoleStatus, TaskStatus } from './status.js';

const PEER_TIMEOUT_MS = 1_000;

export interface WorkerView {
  /** application.server of the instance, or its thread id when it has none. */
  readonly host: string;
  readonly self: boolean;
  readonly state: string;
  readonly processRate: number;
  readonly processTotal: number;
  readonly lag: number;
  readonly deadLetters: number;
  readonly tasks: readonly TaskStatus[];
  /** Why its status could not be read (then the numbers are 0). */
  readonly error?: string;
}

export interface ClusterStatus extends ConsoleStatus {
  readonly workers: readonly WorkerView[];
  readonly total: { readonly processRate: number; readonly processTotal: number; readonly lag: number; readonly deadLetters: number };
}

function view(host: string, self: boolean, s: ConsoleStatus): WorkerView {
  const w = s.worker;
  return { host, self, state: s.state, processRate: w.processRate, processTotal: w.processTotal, lag: w.lag, deadLetters: w.deadLetters, tasks: s.tasks };
}

/** The hosts of the other instances of the application (none before it runs, or without application.server). */
export function peerHosts(streams: KafkaStreams): string[] {
  const own = streams.config.applicationServer;
  if (own === null) return [];
  try {
    return [...new Set(streams.metadataForAllStreamsClients().map((m) => m.hostInfo.toString()))].filter((h) => h !== own).sort();
  } catch {
    return [];
  }
}

async function peerView(host: string): Promise<WorkerView> {
  try {
    const res = await fetch(`http://${host}/console/status.json`, { signal: AbortSignal.timeout(PEER_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return view(host, false, (await res.json()) as ConsoleStatus);
  } catch (error) {
    return { host, self: false, state: 'UNREACHABLE', processRate: 0, processTotal: 0, lag: 0, deadLetters: 0, tasks: [], error: (error as Error).message };
  }
}

export async function clusterStatus(streams: KafkaStreams, own: ConsoleStatus): Promise<ClusterStatus> {
  const self = view(streams.config.applicationServer ?? own.worker.threadId, true, own);
  const workers = [self, ...(await Promise.all(peerHosts(streams).map(peerView)))].sort((a, b) => a.host.localeCompare(b.host, 'en', { numeric: true }));
  const total = { processRate: 0, processTotal: 0, lag: 0, deadLetters: 0 };
  for (const w of workers) {
    total.processRate += w.processRate;
    total.processTotal += w.processTotal;
    total.lag += w.lag;
    total.deadLetters += w.deadLetters;
  }
  return { ...own, workers, total };
}
