/**
 * HTTP basic authentication as a ksqlDB node offers it: users from a credentials file in the
 * format of ksqlDB's (Jetty's) password file, one `user: password[,role...]` per line, `#`
 * comments; a password may be stored as `MD5:<hex>`. A request without valid credentials gets
 * 401 and nothing else.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

const MAX_FILE_BYTES = 1 << 20;

export class BasicAuth {
  private constructor(private readonly users: ReadonlyMap<string, string>) {}

  /** Reads the file; a bad line is an error naming its line number. */
  static fromFile(path: string): BasicAuth {
    let text: string;
    try {
      if (statSync(path).size > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`credentials file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const users = new Map<string, string>();
    text.split(/\r?\n/).forEach((line, i) => {
      const l = line.trim();
      if (l === '' || l.startsWith('#')) return;
      const m = /^([^:\s]+)\s*:\s*([^,]+?)\s*(,.*)?$/.exec(l);
      if (m === null) throw new Error(`credentials file ${path}:${i + 1}: expected 'user: password[,role...]'`);
      users.set(m[1]!, m[2]!);
    });
    if (users.size === 0) throw new Error(`credentials file ${path}: no users`);
    return new BasicAuth(users);
  }

  /** Whether an `Authorization` header carries the credentials of a known user. */
  check(header: string | undefined): boolean {
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
    if (m === null) return false;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const stored = this.users.get(decoded.slice(0, colon));
    if (stored === undefined) return false;
    const given = decoded.slice(colon + 1);
    if (stored.startsWith('MD5:')) return same(createHash('md5').update(given).digest('hex'), stored.slice(4).toLowerCase());
    return same(given, stored);
  }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
