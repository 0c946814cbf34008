/** SQL LIKE patterns (% = any run, _ = one character, optional escape character) as anchored RegExps. */

const cache = new Map<string, RegExp>();

export function likeMatcher(pattern: string, escape?: string): RegExp {
  const cacheKey = `${escape ?? ''}\u0000${pattern}`;
  let re = cache.get(cacheKey);
  if (re) return re;
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (escape !== undefined && c === escape && i + 1 < pattern.length) {
      src += escapeRegex(pattern[++i]!);
    } else if (c === '%') src += '[\\s\\S]*';
    else if (c === '_') src += '[\\s\\S]';
    else src += escapeRegex(c);
  }
  re = new RegExp(`^${src}$`, 'u');
  if (cache.size > 1000) cache.clear();
  cache.set(cacheKey, re);
  return re;
}

function escapeRegex(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}
