import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Consumed, KafkaStreams, Materialized, Produced, Serdes, StreamsBuilder, silentLogger } from 'kstream';
import wordcount from '../../examples/wordcount/wordcount.js';
import { latest, produce, readAll, tempDir } from '../helpers/embedded.js';

const S = Serdes.String();
const L = Serdes.Long();

function lines(texts: string[]) {
  return texts.map((value) => ({ key: null, value }));
}

function expectedCounts(texts: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of texts) for (const w of t.toLowerCase().split(/\W+/)) if (w) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
}

describe('the runtime on the embedded log', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  const config = (extra: Record<string, unknown> = {}) => ({
    'application.id': 'wc',
    'data.dir': dir,
    logger: silentLogger,
    ...extra,
  });

  it('runs wordcount until idle and resumes from its committed state', async () => {
    const first = ['all streams lead to kafka', 'hello kafka streams', 'join kafka summit'];
    await produce(dir, 'streams-plaintext-input', lines(first), 2);
    await new KafkaStreams(wordcount(), config()).run({ untilIdle: true });
    let out = await readAll(dir, 'streams-wordcount-output', S, L);
    expect(latest(out)).toEqual(expectedCounts(first));

    const second = ['kafka streams again', 'hello again'];
    await produce(dir, 'streams-plaintext-input', lines(second));
    await new KafkaStreams(wordcount(), config()).run({ untilIdle: true });
    out = await readAll(dir, 'streams-wordcount-output', S, L);
    expect(latest(out)).toEqual(expectedCounts([...first, ...second]));
  });

  it('creates internal topics with Kafka Streams names and partition counts', async () => {
    await produce(dir, 'streams-plaintext-input', lines(['a b']), 3);
    await new KafkaStreams(wordcount(), config()).run({ untilIdle: true });
    const { EmbeddedLog } = await import('../../src/log/embedded/embedded-log.js');
    const log = EmbeddedLog.open(dir);
    const topics = await log.admin().describeTopics(await log.admin().listTopics());
    expect([...topics.keys()].sort()).toEqual([
      'streams-plaintext-input',
      'streams-wordcount-output',
      'wc-counts-store-changelog',
      'wc-counts-store-repartition',
    ]);
    expect(topics.get('wc-counts-store-repartition')!.partitions).toBe(3);
    expect(topics.get('wc-counts-store-changelog')!.partitions).toBe(3);
    expect(topics.get('wc-counts-store-changelog')!.config['cleanup.policy']).toBe('compact');
    await log.close();
  });

  it('restores a store from its changelog when the local state is gone', async () => {
    const first = ['x y z', 'x y', 'x'];
    await produce(dir, 'streams-plaintext-input', lines(first), 2);
    await new KafkaStreams(wordcount(), config()).run({ untilIdle: true });
    rmSync(join(dir, 'state'), { recursive: true, force: true });
    const second = ['x z'];
    await produce(dir, 'streams-plaintext-input', lines(second));
    await new KafkaStreams(wordcount(), config()).run({ untilIdle: true });
    const out = await readAll(dir, 'streams-wordcount-output', S, L);
    expect(latest(out)).toEqual(new Map([['x', 4], ['y', 2], ['z', 2]]));
  });

  it('sends a malformed JSON record to the dead-letter topic and keeps going', async () => {
    await produce(dir, 'orders', [
      { key: 'o1', value: '{"amount": 5}' },
      { key: 'o2', value: '{"amount": ' },
      { key: 'o3', value: '{"amount": 7}' },
    ]);
    const b = new StreamsBuilder();
    b.stream('orders', Consumed.with(S, Serdes.Json<{ amount: number }>()))
      .mapValues((o) => o.amount * 2)
      .to('doubled', Produced.with(S, Serdes.Integer()));
    await new KafkaStreams(b.build(), config({ 'application.id': 'orders-app' })).run({ untilIdle: true });
    const out = await readAll(dir, 'doubled', S, Serdes.Integer());
    expect(out.map((r) => [r.key, r.value])).toEqual([
      ['o1', 10],
      ['o3', 14],
    ]);
    const dlq = await readAll(dir, 'orders-app-dlq', S, S);
    expect(dlq.map((r) => [r.key, r.value, r.headers.get('__streams.errors.topic'), r.headers.get('__streams.errors.offset')])).toEqual([
      ['o2', '{"amount": ', 'orders', '1'],
    ]);
    expect(dlq[0]!.headers.get('__streams.errors.message')).toMatch(/invalid JSON/);
  });

  it('with the fail policy it stops at the bad record and commits nothing past it', async () => {
    await produce(dir, 'orders', [
      { key: 'o1', value: '{"amount": 5}' },
      { key: 'o2', value: 'nope' },
      { key: 'o3', value: '{"amount": 7}' },
    ]);
    const topology = () => {
      const b = new StreamsBuilder();
      b.stream('orders', Consumed.with(S, Serdes.Json<{ amount: number }>()))
        .groupByKey()
        .count(Materialized.as('n'))
        .toStream()
        .to('counted', Produced.with(S, L));
      return b.build();
    };
    const failing = new KafkaStreams(topology(), config({ 'application.id': 'strict', 'default.deserialization.exception.handler': 'fail' }));
    await expect(failing.run({ untilIdle: true })).rejects.toThrow(
      'could not deserialize record orders-0@1: invalid JSON: Unexpected token \'o\', "nope" is not valid JSON (default.deserialization.exception.handler=fail)',
    );
    expect(await readAll(dir, 'counted', S, L)).toEqual([]);
    // Once the policy allows it, processing starts again from the last commit, exactly once.
    await new KafkaStreams(topology(), config({ 'application.id': 'strict' })).run({ untilIdle: true });
    const out = await readAll(dir, 'counted', S, L);
    expect(out.map((r) => [r.key, r.value])).toEqual([
      ['o1', 1],
      ['o3', 1],
    ]);
  });

  it('refuses to start a second instance of the same application on one data dir', async () => {
    await produce(dir, 'streams-plaintext-input', lines(['a']));
    const first = new KafkaStreams(wordcount(), config());
    await first.start();
    const second = new KafkaStreams(wordcount(), config());
    await expect(second.start()).rejects.toThrow("application 'wc' is already running on data dir");
    await first.close();
  });

  it('fails clearly when a source topic is missing', async () => {
    await expect(new KafkaStreams(wordcount(), config()).run({ untilIdle: true })).rejects.toThrow(
      "source topic 'streams-plaintext-input' does not exist; create it first (kstream topics create <name> --partitions N)",
    );
  });
});
