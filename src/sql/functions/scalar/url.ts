/**
 * URL functions: URL_ENCODE_PARAM, URL_DECODE_PARAM and URL_EXTRACT_* (host, port, path, query,
 * fragment, protocol, parameter). A value that is not a valid URI gives NULL, as in ksqlDB.
 */
import type { FunctionRegistry } from '../registry.js';

/** Java's URLEncoder (application/x-www-form-urlencoded, UTF-8): space → '+', unreserved kept. */
function formEncode(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function formDecode(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, ' '));
}

interface UriParts {
  scheme: string | null;
  host: string | null;
  port: number;
  path: string | null;
  query: string | null;
  fragment: string | null;
}

/** RFC 2396 parts as java.net.URI gives them (raw query/path decoded as URI#getPath/getQuery do). */
function parseUri(text: string): UriParts | null {
  const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(text);
  if (!m) return null;
  if (/\s/.test(text)) return null;
  const [, scheme, authority, path, query, fragment] = m;
  let host: string | null = null;
  let port = -1;
  if (authority !== undefined) {
    const hp = authority.replace(/^[^@]*@/, '');
    const pm = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hp);
    if (!pm) return null;
    host = pm[1] === '' ? null : pm[1]!;
    if (pm[2] !== undefined && pm[2] !== '') port = Number(pm[2]);
  }
  const dec = (s: string | undefined) => {
    if (s === undefined) return null;
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return { scheme: scheme ?? null, host, port, path: dec(path), query: dec(query), fragment: dec(fragment) };
}

function rawQuery(text: string): string | null {
  const m = /^[^?#]*\?([^#]*)/.exec(text);
  return m ? m[1]! : null;
}

export function registerUrlFunctions(r: FunctionRegistry): void {
  const one = (name: string, impl: (s: string) => unknown, returns = 'STRING') =>
    r.registerScalar({ name, overloads: [{ params: ['STRING'], returns, impl: ([s]) => impl(s as string) }] });
  one('URL_ENCODE_PARAM', formEncode);
  one('URL_DECODE_PARAM', formDecode);
  one('URL_EXTRACT_HOST', (s) => parseUri(s)?.host ?? null);
  one('URL_EXTRACT_PORT', (s) => {
    const p = parseUri(s)?.port ?? -1;
    return p < 0 ? null : p;
  }, 'INTEGER');
  one('URL_EXTRACT_PATH', (s) => parseUri(s)?.path ?? null);
  one('URL_EXTRACT_QUERY', (s) => parseUri(s)?.query ?? null);
  one('URL_EXTRACT_FRAGMENT', (s) => parseUri(s)?.fragment ?? null);
  one('URL_EXTRACT_PROTOCOL', (s) => parseUri(s)?.scheme ?? null);
  r.registerScalar({
    name: 'URL_EXTRACT_PARAMETER',
    overloads: [
      {
        params: ['STRING', 'STRING'],
        returns: 'STRING',
        impl: ([url, name]) => {
          if (parseUri(url as string) === null) return null;
          const q = rawQuery(url as string);
          if (q === null) return null;
          const wanted = formEncode(name as string);
          for (const pair of q.split('&')) {
            const eq = pair.indexOf('=');
            const k = eq < 0 ? pair : pair.slice(0, eq);
            if (k !== wanted && k !== (name as string)) continue;
            if (eq < 0) return null;
            try {
              return formDecode(pair.slice(eq + 1));
            } catch {
              return pair.slice(eq + 1);
            }
          }
          return null;
        },
      },
    ],
  });
}
