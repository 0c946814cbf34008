// Page views per user region per minute: a stream-table join of page views with user profiles
// (by user id), re-keyed by region, counted in one-minute windows, and suppressed so that each
// window emits exactly one final count once it closed (window end + 10 s grace of stream time).
import {
  BufferConfig,
  Consumed,
  Grouped,
  Materialized,
  Produced,
  Serdes,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  type Topology,
} from 'kstream';

export interface PageView {
  readonly user: string;
  readonly page: string;
  /** Event time (epoch milliseconds): the records' timestamps come from here. */
  readonly time: number;
}

export interface UserProfile {
  readonly region: string;
}

export const config = {
  'application.id': 'pageviews',
};

export const WINDOW_MS = 60_000;
export const GRACE_MS = 10_000;

export default function pageviews(): Topology {
  const builder = new StreamsBuilder();
  const users = builder.table('users', Consumed.with(Serdes.String(), Serdes.Json<UserProfile>()));
  builder
    .stream(
      'pageviews',
      Consumed.with(Serdes.String(), Serdes.Json<PageView>()).withTimestampExtractor((record) => (record.value as PageView).time),
    )
    // inner join: views of users without a profile are dropped
    .join(users, (view, user) => ({ page: view.page, region: user.region }))
    .groupBy((_user, view) => view.region, Grouped.with(Serdes.String(), Serdes.Json<{ page: string; region: string }>()))
    .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW_MS, GRACE_MS))
    .count(Materialized.as<string, number>('views-per-region'))
    .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
    .toStream()
    .map((window, count) => [`${window.key}@${new Date(window.window.start).toISOString()}`, count])
    .to('pageviews-per-region', Produced.with(Serdes.String(), Serdes.Long()));
  return builder.build();
}
