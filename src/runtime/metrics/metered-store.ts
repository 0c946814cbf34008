/**
 * At metrics.recording.level DEBUG, processors see their stores through this wrapper, which counts
 * writes and times reads (Kafka Streams' put-rate and get-latency-avg). At INFO, stores are not wrapped.
 */
import type { StoreOps } from './sensors.js';

type Method = (...args: unknown[]) => unknown;

const WRITES = new Set(['put', 'putWithTimestamp', 'putIfAbsent', 'putAll']);
const READS = new Set(['get', 'getWithTimestamp', 'fetch', 'fetchSession']);

function metered(store: object, method: Method, isRead: boolean, ops: StoreOps): Method {
  if (!isRead) {
    return (...args: unknown[]) => {
      ops.puts++;
      return method.apply(store, args);
    };
  }
  return (...args: unknown[]) => {
    const started = performance.now();
    try {
      return method.apply(store, args);
    } finally {
      ops.gets++;
      ops.getMs += performance.now() - started;
    }
  };
}

export function meteredStore<S extends object>(store: S, ops: StoreOps): S {
  const wrapped = new Map<string, Method>();
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof prop !== 'string' || typeof value !== 'function' || !(WRITES.has(prop) || READS.has(prop))) return value;
      let m = wrapped.get(prop);
      if (m === undefined) wrapped.set(prop, (m = metered(target, value as Method, READS.has(prop), ops)));
      return m;
    },
  });
}
