/**
 * Lets the event loop run what waits on it (I/O callbacks such as HTTP requests, timers) before
 * going on: one setImmediate turn. Awaiting a promise that is already resolved does not do this.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
