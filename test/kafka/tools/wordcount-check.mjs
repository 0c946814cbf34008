// Helpers of test/kafka/scale-check.sh (plain node, uses dist/):
//   node wordcount-check.mjs lines <count> <seed>            print <count> random text lines
//   node wordcount-check.mjs verify <input.txt> <output.tsv>   compare kcat output (word<TAB>count) with the input
//   node wordcount-check.mjs committed <brokers> <group> <topic>   sum of the group's committed offsets on topic
import { readFileSync } from 'node:fs';

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'lines') {
  const count = Number(args[0]);
  let s = Number(args[1] ?? 7) >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const vocabulary = Array.from({ length: 20_000 }, (_, i) => `w${i.toString(36)}`);
  const out = [];
  for (let i = 0; i < count; i++) {
    const n = 1 + Math.floor(rand() * 15);
    const parts = [];
    for (let j = 0; j < n; j++) parts.push(vocabulary[Math.floor(vocabulary.length * Math.pow(rand(), 3))]);
    out.push(parts.join(' '));
  }
  process.stdout.write(out.join('\n') + '\n');
} else if (cmd === 'verify') {
  const expected = new Map();
  let words = 0;
  for (const line of readFileSync(args[0], 'utf8').split('\n')) {
    for (const w of line.toLowerCase().split(/\W+/)) {
      if (!w) continue;
      words++;
      expected.set(w, (expected.get(w) ?? 0) + 1);
    }
  }
  const last = new Map();
  const notIncreasing = new Set();
  let records = 0;
  for (const line of readFileSync(args[1], 'utf8').split('\n')) {
    if (!line) continue;
    records++;
    const [k, v] = line.split('\t');
    const n = Number(v);
    if (last.has(k) && n <= last.get(k)) notIncreasing.add(k);
    last.set(k, n);
  }
  const wrong = [...expected].filter(([w, n]) => last.get(w) !== n);
  const extra = [...last.keys()].filter((w) => !expected.has(w));
  console.log(JSON.stringify({ inputWords: words, distinctWords: expected.size, outputRecords: records, wrongLastCounts: wrong.length, extraWords: extra.length, notStrictlyIncreasing: notIncreasing.size }));
  if (wrong.length > 0) console.log('first wrong (word, got, expected):', JSON.stringify(wrong.slice(0, 5).map(([w, n]) => [w, last.get(w), n])));
  if (notIncreasing.size > 0) console.log('first not increasing:', [...notIncreasing].slice(0, 5).join(', '));
  process.exit(wrong.length === 0 && extra.length === 0 && notIncreasing.size === 0 && last.size === expected.size ? 0 : 1);
} else if (cmd === 'committed') {
  const { openLog } = await import(new URL('../../../dist/log/open-log.js', import.meta.url).href);
  const { silentLogger } = await import(new URL('../../../dist/runtime/logger.js', import.meta.url).href);
  const log = await openLog({ brokers: args[0], dataDir: '.', logger: silentLogger });
  try {
    const c = await log.admin().committedOffsets(args[1], [args[2]]);
    let sum = 0;
    for (const v of c.values()) sum += v.offset;
    console.log(sum);
  } finally {
    await log.close();
  }
} else {
  console.error('usage: wordcount-check.mjs lines|verify|committed ...');
  process.exit(2);
}
