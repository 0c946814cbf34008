/**
 * Java regular expressions (java.util.regex) translated to JavaScript RegExp. The two dialects
 * agree on everyday syntax; this handles leading inline flags such as (?i) and the POSIX classes
 * that Java spells \p{Alpha} etc.
 */
import { FunctionError } from '../functionError.js';

const POSIX: Record<string, string> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Space: ' \\t\\n\\x0B\\f\\r',
  XDigit: '0-9a-fA-F',
};

const cache = new Map<string, RegExp>();

export function javaRegex(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re) return re;
  let source = pattern;
  let flags = 'u';
  const inline = /^\(\?([imsx]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    for (const f of inline[1]!) if (f !== 'x' && !flags.includes(f)) flags += f;
  }
  source = source.replace(/\\p\{(Lower|Upper|Alpha|Digit|Alnum|Punct|Space|XDigit)\}/g, (_, name: string) => `[${POSIX[name]}]`);
  try {
    re = new RegExp(source, flags);
  } catch {
    try {
      re = new RegExp(source, flags.replace('u', ''));
    } catch (e) {
      throw new FunctionError(`Invalid regular expression pattern: ${pattern}. ${(e as Error).message}`);
    }
  }
  if (cache.size > 1000) cache.clear();
  cache.set(pattern, re);
  return re;
}

/** Java replacement strings use $1 and \$; JavaScript uses $1 and $$. */
export function javaReplacement(replacement: string): string {
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i]!;
    if (c === '\\' && i + 1 < replacement.length) {
      const next = replacement[++i]!;
      out += next === '$' ? '$$' : next;
    } else out += c;
  }
  return out;
}
