/**
 * Operating endpoints, mountable on any HTTP listener (`kstream run --listeners`, `kstream server`):
 *
 * - `GET /metrics`: Kafka Streams' metrics in Prometheus' text format.
 * - `GET /healthz`: 200 while the instance is alive (503 in ERROR, PENDING_ERROR or NOT_RUNNING).
 * - `GET /readyz`: 200 once RUNNING with no store restoring; 503 with the reason otherwise.
 * - `GET /console`: the web console; `/console/status.json` (this instance), `/console/cluster.json`
 *   (every instance of the application, see cluster-status.ts), `/console/topology.svg`, `/console/app.js`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { KafkaStreams } from '../../runtime/kafka-streams.js';
import type { Log } from '../../log/types.js';
import type { Topology } from '../../topology/topology.js';
import type { Logger } from '../../common/logger.js';
import { deadLetterTopic } from '../../runtime/error-handling.js';
import { PROMETHEUS_CONTENT_TYPE, prometheusText } from './prometheus.js';
import { DeadLetterTail, type DeadLetter } from './dead-letters.js';
import { consoleStatus } from './status.js';
import { queryLatencyHistograms } from './query-latency.js';
import { clusterStatus } from './cluster-status.js';
import { CONSOLE_HTML, CONSOLE_SCRIPT } from './console-page.js';

type Req = IncomingMessage | Http2ServerRequest;
type Res = ServerResponse | Http2ServerResponse;

/** Handles the request and returns true, or returns false (not one of its paths) without touching it. */
export type HttpRoute = (req: Req, res: Res) => boolean;

export interface ObservedApplication {
  readonly streams: KafkaStreams;
  readonly topology: Topology;
  /** The log the application runs on (the console shows the tail of its dead-letter topic). */
  readonly log: Log;
  /** SQL applications: the persistent queries with their statement text. */
  readonly queries?: ReadonlyArray<{ readonly id: string; readonly sql: string }>;
  readonly logger: Logger;
}

export interface ObserveRoutes {
  readonly route: HttpRoute;
  close(): Promise<void>;
}

const SHOWN_DEAD_LETTERS = 20;
const DEAD_LETTER_REFRESH_MS = 5_000;

function send(res: Res, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

export function observeRoutes(app: ObservedApplication): ObserveRoutes {
  const { streams } = app;
  const tail = new DeadLetterTail(app.log, deadLetterTopic(streams.config.applicationId));
  let picture: string | null = null;
  let deadLetters: DeadLetter[] = [];
  let deadLettersRead = 0;
  let deadLettersCount = -1;

  async function lastDeadLetters(): Promise<DeadLetter[]> {
    const count = streams.metrics().find((m) => m.name === 'dead-letter-records-total')?.value ?? 0;
    if (count !== deadLettersCount || Date.now() - deadLettersRead >= DEAD_LETTER_REFRESH_MS) {
      deadLettersRead = Date.now();
      deadLettersCount = count;
      deadLetters = await tail.last(SHOWN_DEAD_LETTERS);
    }
    return deadLetters;
  }

  async function answer(path: string, res: Res): Promise<void> {
    const state = streams.state();
    switch (path) {
      case '/metrics':
        return send(res, 200, PROMETHEUS_CONTENT_TYPE, await prometheusText(streams.metrics(), streams.config.applicationId, state, [...streams.histograms(), ...queryLatencyHistograms()]));
      case '/healthz': {
        const alive = state !== 'ERROR' && state !== 'PENDING_ERROR' && state !== 'NOT_RUNNING';
        return send(res, alive ? 200 : 503, 'application/json', JSON.stringify({ status: alive ? 'UP' : 'DOWN', state }));
      }
      case '/readyz': {
        const restoring = streams.status()?.restoring ?? 0;
        const ready = state === 'RUNNING' && restoring === 0;
        const reason = ready ? undefined : state !== 'RUNNING' ? `state is ${state}` : `${restoring} task(s) restoring`;
        return send(res, ready ? 200 : 503, 'application/json', JSON.stringify({ status: ready ? 'UP' : 'DOWN', state, restoringTasks: restoring, ...(reason !== undefined ? { reason } : {}) }));
      }
      case '/console':
      case '/console/':
        return send(res, 200, 'text/html; charset=utf-8', CONSOLE_HTML);
      case '/console/app.js':
        return send(res, 200, 'text/javascript; charset=utf-8', CONSOLE_SCRIPT);
      case '/console/topology.svg':
        picture ??= app.topology.describe().toSvg();
        return send(res, 200, 'image/svg+xml', picture);
      case '/console/status.json':
        return send(res, 200, 'application/json', JSON.stringify(consoleStatus(streams, await lastDeadLetters(), app.queries ?? [])));
      case '/console/cluster.json':
        return send(res, 200, 'application/json', JSON.stringify(await clusterStatus(streams, consoleStatus(streams, await lastDeadLetters(), app.queries ?? []))));
    }
  }

  const PATHS = new Set(['/metrics', '/healthz', '/readyz', '/console', '/console/', '/console/app.js', '/console/topology.svg', '/console/status.json', '/console/cluster.json']);
  const route: HttpRoute = (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method !== 'GET' || !PATHS.has(path)) return false;
    answer(path, res).catch((error: unknown) => {
      app.logger.warn(`GET ${path}: ${(error as Error).message}`);
      if (!res.headersSent) send(res, 500, 'text/plain', `${(error as Error).message}\n`);
      else res.end();
    });
    return true;
  };
  return { route, close: () => tail.close() };
}
