/**
 * `npm run test:differential -- [--seeds N] [--from S] [--seed S] [--topology a,b]`: runs kstream and Kafka
 * Streams 4.4.0 on the same seeded inputs and compares every output record. Exit 1 on any difference (each
 * failing topology's first seed is shrunk and printed with both outputs).
 */
import { formatFailure } from './compare.js';
import { JavaDriver } from './java-driver.js';
import { runSuite } from './suite.js';
import { TOPOLOGIES, topologyByName } from './topologies.js';

function usage(message: string): never {
  process.stderr.write(`test:differential: ${message}\nusage: npm run test:differential -- [--seeds N] [--from S] [--seed S] [--topology a,b] [--list]\n`);
  process.exit(2);
}

function parse(argv: string[]): { seeds: number[]; topologies: typeof TOPOLOGIES } {
  let count = 50;
  let from = 1;
  let single: number | null = null;
  let topologies = TOPOLOGIES;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => argv[++i] ?? usage(`${a} needs a value`);
    const int = (s: string): number => (/^\d+$/.test(s) ? Number(s) : usage(`${a}: not a number: ${s}`));
    if (a === '--seeds') count = int(next());
    else if (a === '--from') from = int(next());
    else if (a === '--seed') single = int(next());
    else if (a === '--topology') {
      const names = next().split(',');
      try {
        topologies = names.map(topologyByName);
      } catch (err) {
        usage((err as Error).message);
      }
    } else if (a === '--list') {
      process.stdout.write(`${TOPOLOGIES.map((t) => t.name).join('\n')}\n`);
      process.exit(0);
    } else usage(`unknown option ${a}`);
  }
  const seeds = single !== null ? [single] : Array.from({ length: count }, (_, i) => from + i);
  return { seeds, topologies };
}

const { seeds, topologies } = parse(process.argv.slice(2));
const java = JavaDriver.start();
const stop = (): void => {
  java.close();
  process.exit(130);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
const started = Date.now();
try {
  const result = await runSuite(java, { topologies, seeds });
  for (const spec of topologies) {
    const failing = result.failingSeeds.get(spec.name) ?? [];
    process.stdout.write(`${failing.length === 0 ? 'ok  ' : 'FAIL'} ${spec.name}${failing.length ? ` (seeds ${failing.join(', ')})` : ''}\n`);
  }
  for (const fs of result.failures.values()) for (const f of fs) process.stdout.write(`\n${formatFailure(f)}\n`);
  const failed = [...result.failingSeeds.values()].reduce((n, s) => n + s.length, 0);
  process.stdout.write(
    `\n${result.cases - failed} passed, ${failed} failed (${topologies.length} topologies × ${seeds.length} seeds, ${result.records} Kafka Streams output records, ${((Date.now() - started) / 1000).toFixed(1)}s)\n`,
  );
  process.exitCode = failed === 0 ? 0 : 1;
} catch (err) {
  process.stderr.write(`test:differential: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  java.close();
}
