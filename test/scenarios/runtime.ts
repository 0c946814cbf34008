/** Runtime scenarios: wordcount, internal topics, restores, error policies (from test/runtime/embedded-runtime.test.ts). */
import { expect } from 'vitest';
import { Consumed, Grouped, Materialized, Produced, Serdes, StreamsBuilder, type Topology } from '../../src/index.js';
import { latest, type Scenario } from './env.js';

const S = Serdes.String();
const L = Serdes.Long();

/** The wordcount example's topology (examples/wordcount/wordcount.ts) with the scenario's topic names. */
export function wordcountTopology(input: string, output: string): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream<string | null, string>(input)
    .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter((word) => word.length > 0))
    .groupBy((_key, word) => word, Grouped.with(Serdes.String(), Serdes.String()))
    .count(Materialized.as<string, number>('counts-store'))
    .toStream()
    .to(output, Produced.with(Serdes.String(), Serdes.Long()));
  return builder.build();
}

function lines(texts: string[]) {
  return texts.map((value) => ({ key: null, value }));
}

export function expectedCounts(texts: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of texts) for (const w of t.toLowerCase().split(/\W+/)) if (w) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
}

export const runtimeScenarios: Scenario[] = [
  {
    name: 'runs wordcount until idle and resumes from its committed state',
    async run(env) {
      const input = env.topic('streams-plaintext-input');
      const output = env.topic('streams-wordcount-output');
      const app = env.appId('wc');
      const first = ['all streams lead to kafka', 'hello kafka streams', 'join kafka summit'];
      await env.produce(input, lines(first), 2);
      await env.runUntilIdle(wordcountTopology(input, output), { 'application.id': app });
      let out = await env.read(output, S, L);
      expect(latest(out)).toEqual(expectedCounts(first));

      const second = ['kafka streams again', 'hello again'];
      await env.produce(input, lines(second));
      await env.runUntilIdle(wordcountTopology(input, output), { 'application.id': app });
      out = await env.read(output, S, L);
      expect(latest(out)).toEqual(expectedCounts([...first, ...second]));
      // Every word's counts only go up (the record cache may skip intermediate ones).
      const seq = new Map<string, number[]>();
      for (const r of out) (seq.get(r.key!) ?? seq.set(r.key!, []).get(r.key!)!).push(r.value!);
      for (const [, counts] of seq) expect(counts.every((c, i) => i === 0 || c > counts[i - 1]!)).toBe(true);
    },
  },
  {
    name: 'creates internal topics with Kafka Streams names and partition counts',
    async run(env) {
      const input = env.topic('streams-plaintext-input');
      const output = env.topic('streams-wordcount-output');
      const app = env.appId('wc');
      await env.produce(input, lines(['a b']), 3);
      await env.runUntilIdle(wordcountTopology(input, output), { 'application.id': app });
      const names = [input, output, `${app}-counts-store-changelog`, `${app}-counts-store-repartition`];
      const topics = await env.describeTopics(names);
      expect([...topics.keys()].sort()).toEqual([...names].sort());
      expect(topics.get(`${app}-counts-store-repartition`)!.partitions).toBe(3);
      expect(topics.get(`${app}-counts-store-repartition`)!.config['cleanup.policy']).toBe('delete');
      expect(topics.get(`${app}-counts-store-changelog`)!.partitions).toBe(3);
      expect(topics.get(`${app}-counts-store-changelog`)!.config['cleanup.policy']).toBe('compact');
      expect(topics.get(output)!.partitions).toBe(3);
    },
  },
  {
    name: 'restores a store from its changelog when the local state is gone',
    async run(env) {
      const input = env.topic('streams-plaintext-input');
      const output = env.topic('streams-wordcount-output');
      const app = env.appId('wc');
      await env.produce(input, lines(['x y z', 'x y', 'x']), 2);
      await env.runUntilIdle(wordcountTopology(input, output), { 'application.id': app });
      env.wipeState(app);
      await env.produce(input, lines(['x z']));
      await env.runUntilIdle(wordcountTopology(input, output), { 'application.id': app });
      const out = await env.read(output, S, L);
      expect(latest(out)).toEqual(new Map([['x', 4], ['y', 2], ['z', 2]]));
    },
  },
  {
    name: 'sends a malformed JSON record to the dead-letter topic and keeps going',
    async run(env) {
      const orders = env.topic('orders');
      const doubled = env.topic('doubled');
      const app = env.appId('orders-app');
      await env.produce(orders, [
        { key: 'o1', value: '{"amount": 5}' },
        { key: 'o2', value: '{"amount": ' },
        { key: 'o3', value: '{"amount": 7}' },
      ]);
      const b = new StreamsBuilder();
      b.stream(orders, Consumed.with(S, Serdes.Json<{ amount: number }>()))
        .mapValues((o) => o.amount * 2)
        .to(doubled, Produced.with(S, Serdes.Integer()));
      await env.runUntilIdle(b.build(), { 'application.id': app });
      const out = await env.read(doubled, S, Serdes.Integer());
      expect(out.map((r) => [r.key, r.value])).toEqual([
        ['o1', 10],
        ['o3', 14],
      ]);
      const dlq = await env.read(`${app}-dlq`, S, S);
      expect(dlq.map((r) => [r.key, r.value, r.headers.get('__streams.errors.topic'), r.headers.get('__streams.errors.offset')])).toEqual([
        ['o2', '{"amount": ', orders, '1'],
      ]);
      expect(dlq[0]!.headers.get('__streams.errors.message')).toMatch(/invalid JSON/);
    },
  },
  {
    name: 'with the fail policy it stops at the bad record and commits nothing past it',
    async run(env) {
      const orders = env.topic('orders');
      const counted = env.topic('counted');
      const app = env.appId('strict');
      await env.produce(orders, [
        { key: 'o1', value: '{"amount": 5}' },
        { key: 'o2', value: 'nope' },
        { key: 'o3', value: '{"amount": 7}' },
      ]);
      const topology = () => {
        const b = new StreamsBuilder();
        b.stream(orders, Consumed.with(S, Serdes.Json<{ amount: number }>()))
          .groupByKey()
          .count(Materialized.as('n'))
          .toStream()
          .to(counted, Produced.with(S, L));
        return b.build();
      };
      await expect(env.runUntilIdle(topology(), { 'application.id': app, 'default.deserialization.exception.handler': 'fail' })).rejects.toThrow(
        `could not deserialize record ${orders}-0@1: invalid JSON: Unexpected token 'o', "nope" is not valid JSON (default.deserialization.exception.handler=fail)`,
      );
      expect(await env.read(counted, S, L)).toEqual([]);
      // Once the policy allows it, processing starts again from the last commit, exactly once.
      await env.runUntilIdle(topology(), { 'application.id': app });
      const out = await env.read(counted, S, L);
      expect(out.map((r) => [r.key, r.value])).toEqual([
        ['o1', 1],
        ['o3', 1],
      ]);
    },
  },
  {
    name: 'fails clearly when a source topic is missing',
    async run(env) {
      const input = env.topic('streams-plaintext-input');
      await expect(env.runUntilIdle(wordcountTopology(input, env.topic('out')), { 'application.id': env.appId('wc') })).rejects.toThrow(
        `source topic '${input}' does not exist; create it first (kstream topics create <name> --partitions N)`,
      );
    },
  },
  {
    name: 'at_least_once counts exactly when nothing fails',
    async run(env) {
      const input = env.topic('streams-plaintext-input');
      const output = env.topic('streams-wordcount-output');
      const texts = Array.from({ length: 200 }, (_, i) => `w${i % 7} w${i % 11} common`);
      await env.produce(input, lines(texts), 2);
      await env.runUntilIdle(wordcountTopology(input, output), { 'application.id': env.appId('wc-alos'), 'processing.guarantee': 'at_least_once' });
      expect(latest(await env.read(output, S, L))).toEqual(expectedCounts(texts));
    },
  },
];
