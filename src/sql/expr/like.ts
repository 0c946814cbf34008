/**
 * SQL LIKE (% = any run, _ = one character, optional escape character) without backtracking:
 * the pattern is split at each % into segments; the first segment must match at the start, the
 * last at the end, and each one between at its leftmost place after the previous one (taking
 * the leftmost place never loses a match). Time is at most input length × pattern length.
 * `_` matches one code point (a surrogate pair counts as one character, as in Java's regex).
 */
import { requirePatternLength } from '../functions/limits.js';

/** A run of literal text, or `_` (one character). */
type Part = string | null;
type Segment = readonly Part[];

export interface LikeMatcher {
  test(input: string): boolean;
}

const CACHE_ENTRIES = 1000;
const CACHE_MAX_PATTERN = 4096;
const cache = new Map<string, LikeMatcher>();

export function likeMatcher(pattern: string, escape?: string): LikeMatcher {
  const cacheKey = `${escape ?? ''}\u0000${pattern}`;
  let m = cache.get(cacheKey);
  if (m) return m;
  requirePatternLength('LIKE', pattern.length);
  m = new SegmentMatcher(parse(pattern, escape));
  if (pattern.length <= CACHE_MAX_PATTERN) {
    if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    cache.set(cacheKey, m);
  }
  return m;
}

function parse(pattern: string, escape: string | undefined): Segment[] {
  const segments: Segment[] = [];
  let parts: Part[] = [];
  let literal = '';
  const flush = () => {
    if (literal !== '') parts.push(literal);
    literal = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (escape !== undefined && c === escape && i + 1 < pattern.length) literal += pattern[++i]!;
    else if (c === '%') {
      flush();
      segments.push(parts);
      parts = [];
    } else if (c === '_') {
      flush();
      parts.push(null);
    } else literal += c;
  }
  flush();
  segments.push(parts);
  return segments;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** Where `seg` matched at `pos` ends, or -1. */
function matchAt(s: string, pos: number, seg: Segment): number {
  let p = pos;
  for (const part of seg) {
    if (part === null) {
      if (p >= s.length) return -1;
      p += isHigh(s.charCodeAt(p)) && isLow(s.charCodeAt(p + 1)) ? 2 : 1;
    } else {
      if (!s.startsWith(part, p)) return -1;
      p += part.length;
    }
  }
  return p;
}

/** True when `pos` would split a surrogate pair. */
function insidePair(s: string, pos: number): boolean {
  return pos > 0 && pos < s.length && isLow(s.charCodeAt(pos)) && isHigh(s.charCodeAt(pos - 1));
}

class SegmentMatcher implements LikeMatcher {
  /** Code units the last segment needs at least and at most. */
  private readonly lastMin: number;
  private readonly lastMax: number;

  constructor(private readonly segments: readonly Segment[]) {
    const last = segments[segments.length - 1]!;
    let min = 0;
    let max = 0;
    for (const part of last) {
      min += part === null ? 1 : part.length;
      max += part === null ? 2 : part.length;
    }
    this.lastMin = min;
    this.lastMax = max;
  }

  test(s: string): boolean {
    const segs = this.segments;
    const n = s.length;
    if (segs.length === 1) return matchAt(s, 0, segs[0]!) === n;
    let pos = matchAt(s, 0, segs[0]!);
    if (pos < 0) return false;
    for (let i = 1; i < segs.length - 1; i++) {
      pos = this.leftmost(s, pos, segs[i]!);
      if (pos < 0) return false;
    }
    // The last segment must end exactly at the end: only a few start positions can do that.
    const last = segs[segs.length - 1]!;
    for (let q = Math.max(pos, n - this.lastMax); q <= n - this.lastMin; q++) {
      if (!insidePair(s, q) && matchAt(s, q, last) === n) return true;
    }
    return false;
  }

  /** End of the leftmost match of `seg` at or after `from`, or -1. */
  private leftmost(s: string, from: number, seg: Segment): number {
    const first = seg[0];
    for (let q = from; q <= s.length; q++) {
      if (typeof first === 'string') {
        q = s.indexOf(first, q);
        if (q < 0) return -1;
      }
      if (insidePair(s, q)) continue;
      const end = matchAt(s, q, seg);
      if (end >= 0) return end;
    }
    return -1;
  }
}
