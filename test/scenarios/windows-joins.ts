/** Window, session and join scenarios on the real runtime (from test/windows/restore.test.ts). */
import { expect } from 'vitest';
import {
  Consumed,
  JoinWindows,
  Materialized,
  Produced,
  Serdes,
  SessionWindows,
  StreamJoined,
  StreamsBuilder,
  TimeWindows,
  WindowedSerdes,
} from '../../src/index.js';
import type { Scenario } from './env.js';

const timeSerde = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 10);
const sessionSerde = WindowedSerdes.sessionWindowedSerdeFrom(Serdes.String());

/** Windowed output as text, with times relative to the environment's time base. */
const fmt =
  (closed: boolean, base: number) =>
  (r: { key: { key: string; window: { start: number; end: number } } | null; value: number | null; timestamp: number }) =>
    `${r.key!.key}@[${r.key!.window.start - base},${r.key!.window.end - base}${closed ? ']' : ')'} -> ${r.value} @${r.timestamp - base}`;

export const windowJoinScenarios: Scenario[] = [
  {
    name: 'window and session stores restore from their changelogs after the local state is deleted',
    async run(env) {
      const input = env.topic('in');
      const wout = env.topic('wout');
      const sout = env.topic('sout');
      const app = env.appId('wr');
      const topology = () => {
        const builder = new StreamsBuilder();
        const grouped = builder.stream(input, Consumed.with(Serdes.String(), Serdes.String())).groupByKey();
        grouped
          .windowedBy(TimeWindows.ofSizeAndGrace(10, 100))
          .count(Materialized.as<string, number>('wcounts'))
          .toStream()
          .to(wout, Produced.with(timeSerde, Serdes.Long()));
        grouped
          .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 100))
          .count(Materialized.as<string, number>('scounts'))
          .toStream()
          .to(sout, Produced.with(sessionSerde, Serdes.Long()));
        return builder.build();
      };
      const config = { 'application.id': app, 'statestore.cache.max.bytes': 0 };
      await env.produce(input, [
        { key: 'k', value: 'a', timestamp: 1 },
        { key: 'k', value: 'b', timestamp: 3 },
        { key: 'k', value: 'c', timestamp: 12 },
      ]);
      await env.runUntilIdle(topology(), config);
      const w1 = (await env.read(wout, timeSerde, Serdes.Long())).map(fmt(false, env.timeBase));
      const s1 = (await env.read(sout, sessionSerde, Serdes.Long())).map(fmt(true, env.timeBase));
      expect(w1).toEqual(['k@[0,10) -> 1 @1', 'k@[0,10) -> 2 @3', 'k@[10,20) -> 1 @12']);
      expect(s1).toEqual(['k@[1,1] -> 1 @1', 'k@[1,1] -> null @1', 'k@[1,3] -> 2 @3', 'k@[12,12] -> 1 @12']);

      env.wipeState(app);
      await env.produce(input, [
        { key: 'k', value: 'd', timestamp: 5 },
        { key: 'k', value: 'e', timestamp: 9 },
      ]);
      await env.runUntilIdle(topology(), config);
      const w2 = (await env.read(wout, timeSerde, Serdes.Long())).map(fmt(false, env.timeBase)).slice(w1.length);
      const s2 = (await env.read(sout, sessionSerde, Serdes.Long())).map(fmt(true, env.timeBase)).slice(s1.length);
      expect(w2).toEqual(['k@[0,10) -> 3 @5', 'k@[0,10) -> 4 @9']);
      expect(s2).toEqual(['k@[1,3] -> null @3', 'k@[1,5] -> 3 @5', 'k@[1,5] -> null @5', 'k@[12,12] -> null @12', 'k@[1,12] -> 5 @12']);
    },
  },
  {
    name: 'a stream-stream left join restores its window stores and shared store',
    async run(env) {
      const left = env.topic('left');
      const right = env.topic('right');
      const out = env.topic('out');
      const app = env.appId('jr');
      const topology = () => {
        const b = new StreamsBuilder();
        const l = b.stream(left, Consumed.with(Serdes.String(), Serdes.String()));
        const r = b.stream(right, Consumed.with(Serdes.String(), Serdes.String()));
        l.leftJoin(r, (lv, rv) => `${lv}|${rv}`, JoinWindows.ofTimeDifferenceAndGrace(10, 5), StreamJoined.with(Serdes.String(), Serdes.String(), Serdes.String())).to(
          out,
          Produced.with(Serdes.String(), Serdes.String()),
        );
        return b.build();
      };
      const config = {
        'application.id': app,
        'statestore.cache.max.bytes': 0,
        '__emit.interval.ms.kstreams.outer.join.spurious.results.fix__': 0,
      };
      await env.produce(left, [
        { key: 'A', value: 'l1', timestamp: 100 },
        { key: 'B', value: 'l2', timestamp: 101 },
      ]);
      await env.createTopic(right, 1);
      await env.runUntilIdle(topology(), config);
      expect(await env.read(out, Serdes.String(), Serdes.String())).toEqual([]);
      env.wipeState(app);
      // A finds l1 in the restored left window store; B's window closes at 101 + 10 + 5 < 200.
      await env.produce(right, [{ key: 'A', value: 'r1', timestamp: 105 }]);
      await env.runUntilIdle(topology(), config);
      await env.produce(left, [{ key: 'C', value: 'l3', timestamp: 200 }]);
      await env.runUntilIdle(topology(), config);
      const result = (await env.read(out, Serdes.String(), Serdes.String())).map((r) => `${r.key} -> ${r.value} @${r.timestamp - env.timeBase}`);
      expect(result).toEqual(['A -> l1|r1 @105', 'B -> l2|null @101']);
    },
  },
];
