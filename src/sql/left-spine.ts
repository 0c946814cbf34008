/**
 * Left-associative chains (`a + b + c ...`, `x AND y AND ...`, `s || t || ...`) are trees whose
 * left spine is as long as the chain: 3,000 terms would overflow the stack of any recursive walk.
 * `spineSafe` turns a recursive function over such trees into one whose recursion depth follows
 * the nesting of the SQL (bounded by the parser) rather than the length of its chains: a deep
 * spine is computed bottom-up in a loop, each node finding its left child's result ready.
 */

/** Spines shorter than this are walked by plain recursion (no allocation). */
const SHALLOW = 64;

export interface SpineOptions<N extends object, R> {
  /** A node whose result does not look at its children: nothing below it on the spine is computed. */
  final?: (n: N) => boolean;
  /** Results kept across calls (for pure functions of immutable trees). */
  memo?: WeakMap<N, R>;
}

/**
 * Wraps `fn`, which computes a node's result by calling the returned function for its children,
 * so that long left spines, as `leftOf` defines them, do not recurse per node. Children are
 * still computed left before right, as plain recursion would.
 */
export function spineSafe<N extends object, R>(leftOf: (n: N) => N | undefined, fn: (n: N) => R, options: SpineOptions<N, R> = {}): (n: N) => R {
  const { final, memo } = options;
  const ready = new Map<N, R>();
  const known = (n: N) => ready.has(n) || memo?.has(n) === true;
  const compute = (n: N): R => {
    const r = fn(n);
    memo?.set(n, r);
    return r;
  };
  return (n: N): R => {
    if (ready.has(n)) return ready.get(n) as R;
    if (memo?.has(n)) return memo.get(n) as R;
    let depth = 0;
    for (let x = leftOf(n); x !== undefined && depth < SHALLOW && !known(x); x = leftOf(x)) depth++;
    if (depth < SHALLOW) return compute(n);
    const spine: N[] = [];
    for (let x: N | undefined = n; x !== undefined && !known(x); x = final?.(x) ? undefined : leftOf(x)) spine.push(x);
    try {
      for (let i = spine.length - 1; i > 0; i--) ready.set(spine[i]!, compute(spine[i]!));
      return compute(n);
    } finally {
      for (const x of spine) ready.delete(x);
    }
  };
}
