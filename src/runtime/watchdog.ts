import { Worker } from 'node:worker_threads';
import { BEAT, type BeatSource, type Heartbeat } from './heartbeat.js';
import type { Logger } from '../common/logger.js';
import { TIMED_OUT_RECORD_FILE } from './timed-out-record.js';

/**
 * The watchdog: a worker thread that watches the heartbeat of the task loop while the main
 * thread may be stuck in user code (a mapper in `while (true)`), which no timer or signal handler
 * of the main thread can interrupt. It ends the process (SIGKILL: nothing past the last commit is
 * committed, which exactly_once makes safe) with one line on stderr when
 *
 * - one record has been processed for longer than `record.processing.timeout.ms`: the line names
 *   the task and the record, and the record is remembered in the task's state directory
 *   (timed-out-record.ts) so that the next run sends it to the dead-letter topic instead;
 * - the main thread has been blocked outside a record for that long (a punctuator, a cache flush);
 * - the supervising `kstream run` asked it to stop (SIGTERM, Ctrl-C: "stop" on the control
 *   channel) and the main thread, blocked, has not run for `stopGraceMs` since; or the supervisor
 *   is gone (the control channel closed).
 *
 * On the control channel it answers "watchdog" or "stuck" before ending the process, so that the
 * supervisor knows the line was printed and which exit code to give.
 */
export interface WatchdogOptions {
  readonly heartbeat: Heartbeat;
  /** 0: no timeout, only the stop requests of the control channel. */
  readonly timeoutMs: number;
  readonly applicationId: string;
  readonly stateDir: string;
  readonly deadLetterTopic: string;
  readonly policy: 'log-and-continue' | 'fail';
  /** A socket to the supervising process (`kstream run`), if any. */
  readonly controlFd?: number;
  readonly stopGraceMs?: number;
  readonly logger: Logger;
}

/** How often the main thread advances its tick. */
const TICK_MS = 100;
export const STOP_GRACE_MS = 5000;

// Plain JavaScript run as an eval'd worker: no loader (tsx, vitest) needs to know about it.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const net = require('node:net');
const o = workerData;
const slots = o.slots;
const SUSPENDED_MS = Math.max(2000, o.checkMs * 8);
const sources = [];
parentPort.on('message', (m) => { sources[m.id] = m.source; });
let lastTick = slots[${BEAT.tick}], tickSeen = Date.now();
let lastSource = -1, lastOffset = -1, recordSince = Date.now();
let stopAt = -1;
let control = null;
if (o.controlFd !== undefined) {
  control = new net.Socket({ fd: o.controlFd, readable: true, writable: false });
  control.on('data', (d) => {
    if (stopAt >= 0 || !String(d).includes('stop')) return;
    stopAt = Date.now();
    slots[${BEAT.yield}] = 1;
  });
  // The supervising process is gone (killed): go with it, as a single process would have.
  const orphaned = () => process.kill(process.pid, 'SIGKILL');
  control.on('end', orphaned);
  control.on('error', orphaned);
}
let lastCheck = Date.now();
setInterval(() => {
  const now = Date.now();
  // Far later than asked: the whole process was suspended (SIGSTOP, a sleeping laptop), not blocked.
  if (now - lastCheck > SUSPENDED_MS) { tickSeen = now; recordSince = now; }
  lastCheck = now;
  const tick = slots[${BEAT.tick}];
  if (tick !== lastTick) { lastTick = tick; tickSeen = now; }
  const source = slots[${BEAT.source}], offset = slots[${BEAT.offset}];
  if (source !== lastSource || offset !== lastOffset) { lastSource = source; lastOffset = offset; recordSince = now; }
  if (o.timeoutMs > 0) {
    if (source >= 0 && now - recordSince >= o.timeoutMs) return end('timeout', now - recordSince);
    if (source < 0 && now - tickSeen >= o.timeoutMs) return end('timeout', now - tickSeen);
  }
  if (stopAt >= 0 && now - Math.max(stopAt, tickSeen) >= o.stopGraceMs) end('stop', now - (source >= 0 ? recordSince : tickSeen));
}, o.checkMs);

function remember(src, offset, ms) {
  const dir = path.join(o.stateDir, o.applicationId, src.taskId);
  const file = path.join(dir, '${TIMED_OUT_RECORD_FILE}');
  try {
    fs.mkdirSync(dir, { recursive: true });
    const record = { topic: src.topic, partition: src.partition, offset, timeoutMs: o.timeoutMs, stuckMs: Math.round(ms), at: new Date().toISOString() };
    const fd = fs.openSync(file + '.tmp', 'w');
    fs.writeSync(fd, JSON.stringify(record) + '\\n');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(file + '.tmp', file);
    const d = fs.openSync(dir, 'r');
    fs.fsyncSync(d);
    fs.closeSync(d);
    return true;
  } catch (e) {
    fs.writeSync(2, 'kstream: warning: cannot write ' + file + ': ' + e.message + '\\n');
    return false;
  }
}

function end(why, ms) {
  const src = lastSource >= 0 ? sources[lastSource] : undefined;
  const secs = (ms / 1000).toFixed(1) + ' s';
  const setting = 'record.processing.timeout.ms=' + o.timeoutMs;
  let line;
  if (src !== undefined) {
    const record = 'record ' + src.topic + '-' + src.partition + '@' + lastOffset;
    if (why === 'timeout') {
      const next = !remember(src, lastOffset, ms) ? 'a rerun processes it again'
        : o.policy === 'log-and-continue' ? 'a rerun sends it to ' + o.deadLetterTopic
        : 'processing.exception.handler=fail: a rerun stops before it (log-and-continue sends it to ' + o.deadLetterTopic + ')';
      line = 'kstream: error: task ' + src.taskId + ' is stuck on ' + record + ' (' + secs + ', ' + setting + '); stopped the application, nothing past the last commit is committed; ' + next;
    } else {
      line = 'kstream: error: task ' + src.taskId + ' is stuck on ' + record + ' (' + secs + ') and cannot stop; ended it, nothing past the last commit is committed';
    }
  } else if (why === 'timeout') {
    line = 'kstream: error: the application has been blocked outside record processing (a punctuator, a cache flush, a deserializer) for ' + secs + ' (' + setting + '); stopped it, nothing past the last commit is committed';
  } else {
    line = 'kstream: error: the application is blocked (' + secs + ') and cannot stop; ended it, nothing past the last commit is committed';
  }
  fs.writeSync(2, line + '\\n');
  if (control !== null) {
    try { fs.writeSync(o.controlFd, why === 'timeout' ? 'watchdog\\n' : 'stuck\\n'); } catch {}
  }
  process.kill(process.pid, 'SIGKILL');
}
`;

export class Watchdog {
  private constructor(
    private readonly worker: Worker,
    private readonly ticker: NodeJS.Timeout,
  ) {}

  static start(options: WatchdogOptions): Watchdog {
    const slots = options.heartbeat.slots;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        slots,
        timeoutMs: options.timeoutMs,
        applicationId: options.applicationId,
        stateDir: options.stateDir,
        deadLetterTopic: options.deadLetterTopic,
        policy: options.policy,
        controlFd: options.controlFd,
        stopGraceMs: options.stopGraceMs ?? STOP_GRACE_MS,
        checkMs: Math.max(10, Math.min(250, Math.floor((options.timeoutMs || STOP_GRACE_MS) / 10))),
      },
      stdout: false,
      stderr: false,
    });
    worker.unref();
    worker.on('error', (e) => options.logger.warn(`the watchdog failed: ${e.message}; records are no longer watched`));
    options.heartbeat.onRegister((id: number, source: BeatSource) => worker.postMessage({ id, source }));
    const ticker = setInterval(() => slots[BEAT.tick]!++, TICK_MS);
    ticker.unref();
    return new Watchdog(worker, ticker);
  }

  async stop(): Promise<void> {
    clearInterval(this.ticker);
    await this.worker.terminate();
  }
}
