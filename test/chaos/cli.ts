/**
 * `npm run chaos -- [flags]`: the chaos run on demand (see driver.ts). Prints the checks and the
 * recovery table; exits 0 only when every output is right (exact under exactly_once_v2, complete
 * under at_least_once). The CI-sized form is test/kafka/chaos.test.ts.
 */
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runChaos, type ChaosOptions } from './driver.js';
import { recoveryTable } from './recovery.js';
import { lostOutputsNote } from './check.js';

const HELP = `usage: npm run chaos -- [flags]
  --lines N              input lines (default 1000000)
  --partitions N         partitions of every topic (default 8)
  --workers N            worker processes (default 3)
  --kills N              SIGKILLs of random workers, each restarted (default 50)
  --broker-restarts N    broker restarts (default 3)
  --sigstops N           workers SIGSTOPped past the session timeout, then SIGCONT (default 1)
  --guarantee G          exactly_once_v2 | at_least_once (default exactly_once_v2)
  --standbys N           num.standby.replicas (default 0)
  --seed N               input and fault schedule (default 1)
  --rate N               input lines per second (default 2000)
  --time-bound S         give up after S seconds (default 3600)
  --port N               the run's own broker (default 23392)
  --kafka-version V      e.g. 3.9.2 or 4.1.0 (default: kstream's default)
  --session-timeout-ms N (default 6000)
  --commit-interval-ms N (default: the guarantee's default)
  --keep                 keep the work dir (worker and broker logs) after a passing run`;

function int(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: expected a non-negative integer, got '${v}'`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      lines: { type: 'string' },
      partitions: { type: 'string' },
      workers: { type: 'string' },
      kills: { type: 'string' },
      'broker-restarts': { type: 'string' },
      sigstops: { type: 'string' },
      guarantee: { type: 'string' },
      standbys: { type: 'string' },
      seed: { type: 'string' },
      rate: { type: 'string' },
      'time-bound': { type: 'string' },
      port: { type: 'string' },
      'kafka-version': { type: 'string' },
      'session-timeout-ms': { type: 'string' },
      'commit-interval-ms': { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (!existsSync(fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url)))) throw new Error('build first: npm run build');
  const guarantee = values.guarantee ?? 'exactly_once_v2';
  if (guarantee !== 'exactly_once_v2' && guarantee !== 'at_least_once') throw new Error(`--guarantee: expected exactly_once_v2 or at_least_once, got '${guarantee}'`);
  const opts: ChaosOptions = {
    lines: int(values.lines, 'lines', 1_000_000),
    partitions: Math.max(1, int(values.partitions, 'partitions', 8)),
    workers: Math.max(1, int(values.workers, 'workers', 3)),
    kills: int(values.kills, 'kills', 50),
    brokerRestarts: int(values['broker-restarts'], 'broker-restarts', 3),
    sigstops: int(values.sigstops, 'sigstops', 1),
    guarantee,
    standbys: int(values.standbys, 'standbys', 0),
    seed: int(values.seed, 'seed', 1),
    rate: Math.max(1, int(values.rate, 'rate', 2000)),
    timeBoundMs: int(values['time-bound'], 'time-bound', 3600) * 1000,
    port: int(values.port, 'port', 23392),
    kafkaVersion: values['kafka-version'],
    sessionTimeoutMs: int(values['session-timeout-ms'], 'session-timeout-ms', 6000),
    commitIntervalMs: values['commit-interval-ms'] === undefined ? undefined : int(values['commit-interval-ms'], 'commit-interval-ms', 0),
    keep: values.keep === true,
  };
  const stop = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort(sig));
  const r = await runChaos({ ...opts, signal: stop.signal });
  const out: string[] = [];
  out.push(`chaos: Kafka ${r.kafkaVersion}, ${opts.guarantee}, ${opts.workers} workers, ${opts.partitions} partitions, standbys ${opts.standbys}, seed ${opts.seed}`);
  if (r.verdict) {
    out.push(`input: ${r.verdict.inputLines} lines, ${r.verdict.inputOrders} orders, ${r.verdict.priceUpdates} price records`);
    for (const c of r.verdict.checks) out.push(`${c.problems.length === 0 ? 'OK  ' : 'FAIL'} ${c.name}: ${c.keys} keys, ${c.expectedRecords} expected, ${c.outputRecords} output records${lostOutputsNote(c)}`);
    for (const c of r.verdict.checks) for (const p of c.problems) out.push(`  ${p}`);
  }
  for (const e of r.errors) out.push(`ERROR ${e}`);
  out.push(`worker exits no fault caused (then started again): ${r.selfExits}`);
  out.push('', recoveryTable(r.faults), '');
  out.push(`wall ${(r.wallMs / 1000).toFixed(1)} s (producing ${(r.produceMs / 1000).toFixed(1)} s, draining after the input ended ${(r.drainMs / 1000).toFixed(1)} s)`);
  out.push(r.ok ? 'PASS' : `FAIL (work dir with worker and broker logs: ${r.workDir})`);
  process.stdout.write(out.join('\n') + '\n');
  return r.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`chaos: ${(e as Error).message}\n`);
    process.exit(2);
  },
);
