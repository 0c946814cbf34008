/**
 * At metrics.recording.level DEBUG, processors see their stores through this wrapper, which counts
 * puts and times gets (Kafka Streams' put-rate and get-latency-avg). At INFO, stores are not wrapped.
 */
import type { StoreOps } from './sensors.js';

type Method = (...args: unknown[]) => unknown;

export function meteredStore<S extends object>(store: S, ops: StoreOps): S {
  const put = (store as Record<string, unknown>)['put'];
  const get = (store as Record<string, unknown>)['get'];
  const meteredPut =
    typeof put === 'function'
      ? (...args: unknown[]) => {
          ops.puts++;
          return (put as Method).apply(store, args);
        }
      : undefined;
  const meteredGet =
    typeof get === 'function'
      ? (...args: unknown[]) => {
          const started = performance.now();
          try {
            return (get as Method).apply(store, args);
          } finally {
            ops.gets++;
            ops.getMs += performance.now() - started;
          }
        }
      : undefined;
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'put' && meteredPut !== undefined) return meteredPut;
      if (prop === 'get' && meteredGet !== undefined) return meteredGet;
      return Reflect.get(target, prop, target) as unknown;
    },
  });
}
