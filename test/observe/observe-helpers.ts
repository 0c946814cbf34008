/** Shared by the operating tests: a wordcount with poison lines, a free port, and a /metrics scraper. */
import { get } from 'node:http';
export { freePort } from '../helpers/ports.js';
import { Grouped, Materialized, Produced, Serdes, StreamsBuilder, type Topology } from 'kstream';

/** Wordcount whose flatMapValues throws on lines starting with "poison" (they go to the DLQ). */
export function poisonedWordcount(input = 'observe-input', output = 'observe-output'): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream<string | null, string>(input)
    .flatMapValues((line) => {
      if (line.startsWith('poison')) throw new Error(`poison line: ${line}`);
      return line.toLowerCase().split(/\W+/).filter((w) => w.length > 0);
    })
    .groupBy((_k, word) => word, Grouped.with(Serdes.String(), Serdes.String()))
    .count(Materialized.as<string, number>('counts'))
    .toStream()
    .to(output, Produced.with(Serdes.String(), Serdes.Long()));
  return builder.build();
}


/** GET on a fresh connection each time (a busy server may drop a kept-alive one between requests). */
export function httpGet(url: string, timeoutMs = 10_000): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** GET /metrics, parsed from Prometheus' text format. */
export async function scrape(url: string): Promise<Sample[]> {
  const res = await httpGet(`${url}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  const out: Sample[] = [];
  for (const line of res.text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null) throw new Error(`not Prometheus text: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The value of the first sample called `name` whose labels include `labels`. */
export function sampleValue(samples: readonly Sample[], name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

export async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
