/**
 * MASK, MASK_KEEP_LEFT, MASK_KEEP_RIGHT, MASK_LEFT, MASK_RIGHT: replace upper-case, lower-case,
 * digit and other characters by 'X', 'x', 'n' and '-' (or the given characters; NULL keeps that
 * kind of character unmasked).
 */
import type { FunctionRegistry } from '../registry.js';

interface Masks {
  upper: string | null;
  lower: string | null;
  digit: string | null;
  other: string | null;
}

const DEFAULT: Masks = { upper: 'X', lower: 'x', digit: 'n', other: '-' };

function masks(args: readonly unknown[], from: number): Masks {
  if (args.length <= from) return DEFAULT;
  const pick = (i: number, d: string | null) => (args.length > from + i ? ((args[from + i] as string | null) === null ? null : String(args[from + i]).charAt(0)) : d);
  return { upper: pick(0, DEFAULT.upper), lower: pick(1, DEFAULT.lower), digit: pick(2, DEFAULT.digit), other: pick(3, DEFAULT.other) };
}

function maskChar(c: string, m: Masks): string {
  if (c >= 'A' && c <= 'Z') return m.upper ?? c;
  if (c >= 'a' && c <= 'z') return m.lower ?? c;
  if (c >= '0' && c <= '9') return m.digit ?? c;
  return m.other ?? c;
}

function mask(s: string, m: Masks, from: number, to: number): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += i >= from && i < to ? maskChar(s[i]!, m) : s[i];
  return out;
}

export function registerMaskFunctions(r: FunctionRegistry): void {
  const extra = ['STRING', 'STRING', 'STRING', 'STRING'];
  const variants = (base: string[]) => [0, 1, 2, 3, 4].map((n) => [...base, ...extra.slice(0, n)]);
  r.registerScalar({
    name: 'MASK',
    overloads: variants(['STRING']).map((params) => ({
      params,
      returns: 'STRING',
      nullTolerant: true,
      impl: (args: unknown[]) => (args[0] === null ? null : mask(args[0] as string, masks(args, 1), 0, (args[0] as string).length)),
    })),
  });
  const partial = (name: string, range: (len: number, n: number) => [number, number]) =>
    r.registerScalar({
      name,
      overloads: variants(['STRING', 'INTEGER']).map((params) => ({
        params,
        returns: 'STRING',
        nullTolerant: true,
        impl: (args: unknown[]) => {
          const s = args[0] as string | null;
          const n = args[1] as number | null;
          if (s === null || n === null) return null;
          if (n < 0) throw new Error(`function ${name} requires a non-negative number of characters to mask or keep`);
          const [from, to] = range(s.length, n);
          return mask(s, masks(args, 2), from, to);
        },
      })),
    });
  partial('MASK_KEEP_LEFT', (len, n) => [n, len]);
  partial('MASK_KEEP_RIGHT', (len, n) => [0, len - n]);
  partial('MASK_LEFT', (_len, n) => [0, n]);
  partial('MASK_RIGHT', (len, n) => [len - n, len]);
}
