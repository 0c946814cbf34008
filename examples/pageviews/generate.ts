// Writes the example's input as `key:value` lines for `kstream produce --key-separator :`.
//   npx tsx examples/pageviews/generate.ts users      # user profiles (key: user id)
//   npx tsx examples/pageviews/generate.ts pageviews  # page views (key: user id, value has the event time)
import type { PageView, UserProfile } from './pageviews.js';

/** 2024-01-01T10:00:00Z */
export const BASE_TIME = Date.UTC(2024, 0, 1, 10, 0, 0);

const REGIONS = ['EU', 'US', 'APAC'];
const PAGES = ['/home', '/search', '/product', '/cart'];

/** Six users with a profile; u7 has none (its views do not join). */
export function users(): Array<[string, UserProfile]> {
  return Array.from({ length: 6 }, (_, i) => [`u${i + 1}`, { region: REGIONS[i % REGIONS.length]! }]);
}

/**
 * 40 page views, one every 7.5 s from 10:00:00 (five minutes), from users u1..u7. Every 8th view
 * arrives 9 s late (out of order, within the 10 s grace); a view of 10:00:59 arrives at 10:01:07.5
 * (late, still counted for 10:00); a last view of 10:01:30 arrives after its window closed (dropped).
 */
export function pageViews(): Array<[string, PageView]> {
  const views: Array<[string, PageView]> = [];
  for (let i = 0; i < 40; i++) {
    const user = `u${((i * 5 + 3) % 7) + 1}`;
    const time = BASE_TIME + i * 7_500 - (i % 8 === 7 ? 9_000 : 0);
    views.push([user, { user, page: PAGES[i % PAGES.length]!, time }]);
    if (i === 9) views.push(['u1', { user: 'u1', page: '/checkout', time: BASE_TIME + 59_000 }]);
  }
  views.push(['u1', { user: 'u1', page: '/late', time: BASE_TIME + 90_000 }]);
  return views;
}

export function lines(what: 'users' | 'pageviews'): string[] {
  const rows = what === 'users' ? users() : pageViews();
  return rows.map(([key, value]) => `${key}:${JSON.stringify(value)}`);
}

if (process.argv[1]?.endsWith('generate.ts')) {
  const what = process.argv[2];
  if (what !== 'users' && what !== 'pageviews') {
    process.stderr.write('usage: generate.ts users|pageviews\n');
    process.exit(2);
  }
  process.stdout.write(lines(what).join('\n') + '\n');
}
