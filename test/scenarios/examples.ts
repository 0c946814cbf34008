/**
 * The examples' shapes on both logs: the pageviews pipeline (stream-table join, re-key, tumbling
 * count, suppression), table-table joins, and the SQL examples run as `kstream run file.sql` runs
 * them (load, prepare the log, run until idle).
 */
import { expect } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BufferConfig,
  Consumed,
  Grouped,
  JoinWindows,
  Materialized,
  Produced,
  Serdes,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  WindowedSerdes,
} from '../../src/index.js';
import { loadSql } from '../../src/cli/sql-loader.js';
import { expectedCounts } from './runtime.js';
import { type Scenario, type ScenarioEnv } from './env.js';

const S = Serdes.String();

/** Loads a SQL script (as `kstream run x.sql` does), prepares the log for it and runs it until idle. */
async function runSql(env: ScenarioEnv, sql: string, appId: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kstream-sql-scenario-'));
  try {
    const file = join(dir, 'script.sql');
    writeFileSync(file, sql);
    const config: Record<string, unknown> = { 'state.dir': join(dir, 'state') };
    const loaded = await loadSql(file, config);
    const runConfig = { ...loaded.config, 'application.id': appId, 'statestore.cache.max.bytes': 0 };
    await env.withLog((log) => loaded.prepare(log, { ...runConfig, ...config }));
    expect(loaded.topology).not.toBeNull();
    await env.runUntilIdle(loaded.topology!, runConfig);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Fails unless every key's values (numbers) strictly increase in log order. */
function expectIncreasingPerKey(records: ReadonlyArray<{ key: string | null; value: number | null }>): void {
  const last = new Map<string | null, number>();
  const wrong: string[] = [];
  for (const r of records) {
    const prev = last.get(r.key);
    if (prev !== undefined && !(r.value! > prev)) wrong.push(`${r.key}: ${prev} then ${r.value}`);
    last.set(r.key, r.value!);
  }
  expect(wrong).toEqual([]);
}

const TEXTS = ['Hello Kafka Streams', 'All streams lead to Kafka', 'Join Kafka Summit', 'kafka, KAFKA; streams!', 'to be or not to be'];

export const exampleScenarios: Scenario[] = [
  {
    name: 'pageviews: stream-table join, re-key by region, tumbling count suppressed to final results',
    async run(env) {
      const users = env.topic('users');
      const views = env.topic('pageviews');
      const out = env.topic('views-per-region');
      const app = env.appId('pv');
      // Two partitions each: the join is co-partitioned by user id, the count by region.
      await env.produce(
        users,
        [
          { key: 'u1', value: '{"region":"eu"}', timestamp: 0 },
          { key: 'u2', value: '{"region":"us"}', timestamp: 0 },
          { key: 'u4', value: '{"region":"eu"}', timestamp: 0 },
        ],
        2,
      );
      const view = (user: string, time: number) => ({ key: user, value: JSON.stringify({ user, page: `/p/${time}` }), timestamp: time });
      await env.produce(
        views,
        [
          view('u1', 100),
          view('u2', 200),
          view('u4', 300),
          view('u3', 400), // no profile: dropped by the inner join
          view('u1', 1050), // window [1000,2000)
          view('u2', 1090),
          // Stream time 5000 in every partition closes every window before [5000,6000).
          view('u1', 5000),
          view('u2', 5000),
        ],
        2,
      );
      const builder = new StreamsBuilder();
      const profiles = builder.table(users, Consumed.with(S, Serdes.Json<{ region: string }>()));
      builder
        .stream(views, Consumed.with(S, Serdes.Json<{ user: string; page: string }>()))
        .join(profiles, (v, u) => ({ page: v.page, region: u.region }))
        .groupBy((_user, v) => v.region, Grouped.with(S, Serdes.Json<{ page: string; region: string }>()))
        .windowedBy(TimeWindows.ofSizeAndGrace(1000, 100))
        .count(Materialized.as<string, number>('views-per-region'))
        .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
        .toStream()
        .map((w, count) => [`${w.key}@${w.window.start - env.timeBase}`, count])
        .to(out, Produced.with(S, Serdes.Long()));
      await env.runUntilIdle(builder.build(), { 'application.id': app, 'statestore.cache.max.bytes': 0 });
      const result = (await env.read(out, S, Serdes.Long())).map((r) => `${r.key} -> ${r.value}`).sort();
      // One final count per closed window; the windows at 5000 are still open.
      expect(result).toEqual(['eu@0 -> 2', 'eu@1000 -> 1', 'us@0 -> 1', 'us@1000 -> 1']);
      const described = await env.describeTopics([`${app}-views-per-region-repartition`]);
      expect(described.get(`${app}-views-per-region-repartition`)?.partitions).toBe(2);
    },
  },
  {
    name: 'table-table inner, left and outer joins with updates and tombstones',
    async run(env) {
      const left = env.topic('tl');
      const right = env.topic('tr');
      const outs = { inner: env.topic('inner'), left: env.topic('left'), outer: env.topic('outer') };
      const app = env.appId('ttj');
      await env.produce(left, [
        { key: 'a', value: '1', timestamp: 1 },
        { key: 'b', value: '2', timestamp: 2 },
        { key: 'a', value: null, timestamp: 5 },
      ]);
      await env.produce(right, [
        { key: 'a', value: 'x', timestamp: 3 },
        { key: 'c', value: 'y', timestamp: 4 },
        { key: 'b', value: 'z', timestamp: 6 },
      ]);
      const builder = new StreamsBuilder();
      const l = builder.table(left, Consumed.with(S, S));
      const r = builder.table(right, Consumed.with(S, S));
      const joiner = (lv: string | null, rv: string | null) => `${lv}+${rv}`;
      l.join(r, joiner).toStream().to(outs.inner, Produced.with(S, S));
      l.leftJoin(r, joiner).toStream().to(outs.left, Produced.with(S, S));
      l.outerJoin(r, joiner).toStream().to(outs.outer, Produced.with(S, S));
      await env.runUntilIdle(builder.build(), { 'application.id': app, 'statestore.cache.max.bytes': 0 });
      const read = async (topic: string) => (await env.read(topic, S, S)).map((x) => `${x.key} -> ${x.value} @${x.timestamp - env.timeBase}`);
      expect(await read(outs.inner)).toEqual(['a -> 1+x @3', 'a -> null @5', 'b -> 2+z @6']);
      expect(await read(outs.left)).toEqual(['a -> 1+null @1', 'b -> 2+null @2', 'a -> 1+x @3', 'a -> null @5', 'b -> 2+z @6']);
      expect(await read(outs.outer)).toEqual(['a -> 1+null @1', 'b -> 2+null @2', 'a -> 1+x @3', 'c -> null+y @4', 'a -> null+x @5', 'b -> 2+z @6']);
    },
  },
  {
    name: 'SQL: the wordcount example (examples/wordcount/wordcount.sql) counts like the TS topology',
    async run(env) {
      const input = env.topic('sql-lines');
      const words = env.topic('sql-words');
      const output = env.topic('sql-counts');
      await env.produce(
        input,
        TEXTS.map((value) => ({ key: null, value })),
        2,
      );
      await runSql(
        env,
        `CREATE STREAM LINES (LINE STRING) WITH (KAFKA_TOPIC='${input}', VALUE_FORMAT='KAFKA');
         CREATE STREAM WORDS WITH (KAFKA_TOPIC='${words}', VALUE_FORMAT='JSON') AS
           SELECT EXPLODE(SPLIT(REGEXP_REPLACE(LCASE(LINE), '\\W+', ' '), ' ')) AS WORD FROM LINES;
         CREATE TABLE WORD_COUNTS WITH (KAFKA_TOPIC='${output}', KEY_FORMAT='KAFKA', VALUE_FORMAT='KAFKA') AS
           SELECT WORD, COUNT(*) AS COUNT FROM WORDS WHERE WORD <> '' GROUP BY WORD;`,
        env.appId('sqlwc'),
      );
      const records = await env.read(output, S, Serdes.Long());
      const last = new Map(records.map((r) => [r.key, r.value]));
      expect(last).toEqual(expectedCounts(TEXTS));
      expectIncreasingPerKey(records);
      // The sink took the partition count of its source.
      expect((await env.describeTopics([output])).get(output)?.partitions).toBe(2);
    },
  },
  {
    name: 'SQL: stream-table join and a tumbling-window count with EMIT FINAL',
    async run(env) {
      const users = env.topic('sql-users');
      const views = env.topic('sql-views');
      const out = env.topic('sql-region-views');
      await env.produce(users, [
        { key: 'u1', value: '{"REGION":"eu"}', timestamp: 0 },
        { key: 'u2', value: '{"REGION":"us"}', timestamp: 0 },
      ]);
      await env.produce(
        views,
        [
          { key: 'u1', value: '{"PAGE":"/a"}', timestamp: 100 },
          { key: 'u2', value: '{"PAGE":"/b"}', timestamp: 200 },
          { key: 'u1', value: '{"PAGE":"/c"}', timestamp: 900 },
          { key: 'u3', value: '{"PAGE":"/d"}', timestamp: 950 },
          { key: 'u2', value: '{"PAGE":"/e"}', timestamp: 1500 },
          // Closes [1000,2000) while it is still within the store's retention (size + grace).
          { key: 'u1', value: '{"PAGE":"/f"}', timestamp: 2200 },
        ],
        1,
      );
      await runSql(
        env,
        `CREATE TABLE USERS (ID STRING PRIMARY KEY, REGION STRING) WITH (KAFKA_TOPIC='${users}', VALUE_FORMAT='JSON');
         CREATE STREAM VIEWS (USERID STRING KEY, PAGE STRING) WITH (KAFKA_TOPIC='${views}', VALUE_FORMAT='JSON');
         CREATE TABLE REGION_VIEWS WITH (KAFKA_TOPIC='${out}', VALUE_FORMAT='JSON') AS
           SELECT U.REGION AS REGION, COUNT(*) AS VIEWS
           FROM VIEWS V JOIN USERS U ON V.USERID = U.ID
           WINDOW TUMBLING (SIZE 1 SECOND, GRACE PERIOD 100 MILLISECONDS)
           GROUP BY U.REGION EMIT FINAL;`,
        env.appId('sqlpv'),
      );
      const keySerde = WindowedSerdes.timeWindowedSerdeFrom(S, 1000);
      const result = (await env.read(out, keySerde, S)).map((r) => `${r.key!.key}@${r.key!.window.start - env.timeBase} -> ${r.value}`);
      expect(result).toEqual(['eu@0 -> {"VIEWS":2}', 'us@0 -> {"VIEWS":1}', 'us@1000 -> {"VIEWS":1}']);
    },
  },
  {
    name: 'joined inputs that are not co-partitioned stop the application with Kafka Streams\' message',
    async run(env) {
      const left = env.topic('cp-left');
      const right = env.topic('cp-right');
      await env.createTopic(left, 2);
      await env.createTopic(right, 3);
      const b = new StreamsBuilder();
      b.stream(left, Consumed.with(S, S))
        .join(b.stream(right, Consumed.with(S, S)), (x, y) => `${x}${y}`, JoinWindows.ofTimeDifferenceWithNoGrace(5))
        .to(env.topic('cp-out'), Produced.with(S, S));
      await expect(env.runUntilIdle(b.build(), { 'application.id': env.appId('cp') })).rejects.toThrow(
        `Invalid topology: Topics not co-partitioned: [{${left}=2, ${right}=3}]`,
      );
    },
  },
];
