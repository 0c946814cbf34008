/**
 * Regular expressions for the REGEXP_* functions, matched in linear time by RE2 (re2js), so no
 * pattern or input can make one record take exponential time. Patterns are written in Java's
 * syntax (java.util.regex) as in ksqlDB; RE2 shares the everyday part of it. What RE2 cannot match
 * in linear time (backreferences, lookaround, atomic groups, possessive quantifiers) is a clear
 * function error. Java's POSIX classes (\p{Alpha}...) are rewritten to RE2's [[:alpha:]] form.
 */
import { RE2JS, RE2JSException } from 're2js';
import { FunctionError } from '../function-error.js';
import { requirePatternLength } from '../limits.js';

const POSIX: Record<string, string> = {
  Lower: 'lower',
  Upper: 'upper',
  ASCII: 'ascii',
  Alpha: 'alpha',
  Digit: 'digit',
  Alnum: 'alnum',
  Punct: 'punct',
  Graph: 'graph',
  Print: 'print',
  Blank: 'blank',
  Cntrl: 'cntrl',
  Space: 'space',
  XDigit: 'xdigit',
};

/** Compiled patterns (and the errors of bad ones) by source; the oldest entry goes first when full. */
const CACHE_ENTRIES = 1000;
/** Longer patterns are compiled per use rather than cached, to bound the cache's memory. */
const CACHE_MAX_PATTERN = 4096;
const cache = new Map<string, RE2JS | FunctionError>();

export type Pattern = RE2JS;

/** A compiled Java-syntax pattern; throws a FunctionError (naming `fn`) for one RE2 cannot run. */
export function javaRegex(pattern: string, fn = 'regular expression'): Pattern {
  let re = cache.get(pattern);
  if (re === undefined) {
    re = compile(pattern, fn);
    if (pattern.length <= CACHE_MAX_PATTERN) {
      if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
      cache.set(pattern, re);
    }
  }
  if (re instanceof FunctionError) throw re;
  return re;
}

function compile(pattern: string, fn: string): RE2JS | FunctionError {
  try {
    requirePatternLength(fn, pattern.length);
    return RE2JS.compile(toRe2Syntax(pattern));
  } catch (e) {
    if (e instanceof FunctionError) return e;
    if (e instanceof RE2JSException) return new FunctionError(`Invalid regular expression pattern: ${pattern}. ${e.message}`);
    throw e;
  }
}

function unsupported(pattern: string, what: string): FunctionError {
  return new FunctionError(`Invalid regular expression pattern: ${pattern}. ${what} is not supported: patterns are matched in linear time with RE2 syntax`);
}

/** Rewrites Java-only spellings RE2 understands differently, and names what RE2 cannot do. */
function toRe2Syntax(pattern: string): string {
  let out = '';
  let inClass = false;
  // The previous item was a quantifier: a '+' now makes it possessive, a '?' lazy.
  let quantified = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const afterQuantifier: boolean = quantified;
    quantified = false;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (next === 'Q') {
        // \Q...\E quotes everything up to \E (or the end).
        const end = pattern.indexOf('\\E', i + 2);
        const stop = end < 0 ? pattern.length : end + 2;
        out += pattern.slice(i, stop);
        i = stop - 1;
        continue;
      }
      if (!inClass && ((next >= '1' && next <= '9') || next === 'k')) throw unsupported(pattern, `The backreference \\${next}`);
      if (next === 'p' || next === 'P') {
        const m = /^\{(?:Is)?([A-Za-z]+)\}/.exec(pattern.slice(i + 2, i + 24));
        const posix = m ? POSIX[m[1]!] : undefined;
        if (m && posix !== undefined) {
          const cls = `[:${next === 'P' ? '^' : ''}${posix}:]`;
          out += inClass ? cls : `[${cls}]`;
          i += 1 + m[0].length;
          continue;
        }
      }
      out += c + next;
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // A ']' (after an optional '^') right after '[' is a literal member.
      if (pattern[i + 1] === '^') out += pattern[++i];
      if (pattern[i + 1] === ']') out += pattern[++i];
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const rest = pattern.slice(i + 2, i + 4);
      if (rest.startsWith('=') || rest.startsWith('!') || rest === '<=' || rest === '<!') throw unsupported(pattern, `The lookaround (?${rest.startsWith('<') ? rest : rest[0]}`);
      if (rest.startsWith('>')) throw unsupported(pattern, 'The atomic group (?>');
    }
    if (c === '+' && afterQuantifier) throw unsupported(pattern, `The possessive quantifier ${pattern[i - 1]}+`);
    if (c === '{') {
      const repeat = /^\{\d+(?:,\d*)?\}/.exec(pattern.slice(i, i + 24));
      if (repeat) {
        out += repeat[0];
        i += repeat[0].length - 1;
        quantified = true;
        continue;
      }
    }
    quantified = (c === '*' || c === '+' || c === '?') && !afterQuantifier;
    out += c;
  }
  return out;
}
