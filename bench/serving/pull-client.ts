// The pull-query client of bench/serving.ts, in a process of its own so that its work never
// delays the server's event loop (nor the other way round): sends `count` pull queries by key,
// one at a time over one keep-alive HTTP/1.1 connection, checks each answer names its key, and
// prints [start (epoch ms), latency (ms)] of each as one JSON array on stdout. It writes `ready`
// on a line of its own once warmed up, and waits for a line on stdin (go) before it starts.
// Usage: tsx bench/serving/pull-client.ts <url> <keys> <count>
import { Agent, request } from 'node:http';

const [url, keysArg, countArg] = process.argv.slice(2);
const keys = Number(keysArg);
const count = Number(countArg);
if (url === undefined || !(keys > 0) || !(count > 0)) {
  process.stderr.write('usage: pull-client.ts <url> <keys> <count>\n');
  process.exit(2);
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function pull(k: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ sql: `SELECT * FROM T WHERE K = '${k}';` });
    const req = request(`${url}/query-stream`, { method: 'POST', agent, headers: { 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => (text.includes(`"${k}"`) ? resolve() : reject(new Error(`bad answer for ${k}: ${text}`))));
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`no answer for ${k} within 30 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

for (let i = 0; i < 200; i++) await pull(`key-${i}`); // warm-up
process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.pause();
const out: Array<[number, number]> = new Array(count);
for (let i = 0; i < count; i++) {
  const k = `key-${Math.floor(Math.random() * keys)}`;
  const at = Date.now();
  const s = performance.now();
  await pull(k);
  out[i] = [at, +(performance.now() - s).toFixed(3)];
}
agent.destroy();
process.stdout.write(`${JSON.stringify(out)}\n`);
process.stdin.destroy();
