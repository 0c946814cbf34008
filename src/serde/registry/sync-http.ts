/**
 * Synchronous HTTP for the registry client. Serdes are synchronous (they run on the record path), while a
 * registry answers over HTTP; as Confluent's Java serdes block on a cache miss, kstream blocks too: the request
 * runs on one shared worker thread while the calling thread waits on an `Atomics.wait` (bounded by the request
 * timeout). This happens once per schema id / subject, never per record: results are cached by the client.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized?: boolean;
}

export type HttpResult = { status: number; body: string } | { error: string };

const MAX_RESPONSE_BYTES = 16 << 20;

// Plain JS (run with eval), so that it works from the TypeScript sources and from dist alike.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
const https = require('node:https');
parentPort.on('message', ({ req, port, signal }) => {
  let finished = false;
  const done = (result) => {
    if (finished) return;
    finished = true;
    port.postMessage(result);
    port.close();
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
  };
  try {
    const url = new URL(req.url);
    const mod = url.protocol === 'https:' ? https : http;
    const r = mod.request(url, {
      method: req.method, headers: req.headers, timeout: req.timeoutMs,
      ca: req.ca, cert: req.cert, key: req.key, rejectUnauthorized: req.rejectUnauthorized,
    }, (res) => {
      const chunks = [];
      let size = 0;
      res.on('data', (c) => {
        size += c.length;
        if (size > ${MAX_RESPONSE_BYTES}) { r.destroy(new Error('response larger than ${MAX_RESPONSE_BYTES} bytes')); return; }
        chunks.push(c);
      });
      res.on('end', () => done({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => done({ error: e.message }));
    });
    r.on('timeout', () => r.destroy(new Error('no answer within ' + req.timeoutMs + ' ms')));
    r.on('error', (e) => done({ error: e.code && !String(e.message).includes(e.code) ? e.code + ' ' + e.message : e.message }));
    if (req.body !== undefined) r.write(req.body);
    r.end();
  } catch (e) {
    done({ error: e.message });
  }
});
`;

let worker: Worker | undefined;

function sharedWorker(): Worker {
  if (!worker) {
    worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    worker.on('error', () => (worker = undefined));
    worker.on('exit', () => (worker = undefined));
  }
  return worker;
}

/** One HTTP request, answered synchronously (the calling thread blocks until the answer or the timeout). */
export function httpRequestSync(req: HttpRequest): HttpResult {
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  try {
    sharedWorker().postMessage({ req, port: port2, signal }, [port2]);
    // the worker enforces the timeout itself; the margin covers its start-up
    if (Atomics.wait(signal, 0, 0, req.timeoutMs + 5000) === 'timed-out') return { error: `no answer within ${req.timeoutMs} ms` };
    const msg = receiveMessageOnPort(port1);
    return msg ? (msg.message as HttpResult) : { error: 'the HTTP worker gave no answer' };
  } finally {
    port1.close();
  }
}
