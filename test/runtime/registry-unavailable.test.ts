/**
 * A schema registry that cannot be reached is not the record's fault: the serde retries, then the task stops
 * with one line, nothing goes to the dead-letter topic, and a later run (registry back) processes every record.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Consumed, Grouped, KafkaStreams, Produced, Serdes, StreamsBuilder, silentLogger, type Serde } from 'kstream';
import { produce } from '../helpers/embedded.js';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import { readAll, tempDir } from '../helpers/embedded.js';

const S = Serdes.String();
const ORDER = { type: 'record', name: 'Order', fields: [{ name: 'item', type: 'string' }, { name: 'qty', type: 'int' }] } as const;
type Order = { item: string; qty: number };

describe('schema registry serdes in the runtime', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  const app = (valueSerde: Serde<Order>) => {
    const b = new StreamsBuilder();
    b.stream('orders', Consumed.with(S, valueSerde))
      .mapValues((o) => `${o.item}:${o.qty}`)
      .to('lines', Produced.with(S, S));
    return new KafkaStreams(b.build(), { 'application.id': 'orders-app', 'data.dir': dir, logger: silentLogger });
  };

  it('an unreachable registry stops the task after retrying, sends nothing to the DLQ and loses no record', async () => {
    const registry = `mock://unavailable-${process.pid}`;
    const writer = Serdes.Avro<Order>({ registry, schema: ORDER as never });
    const log = EmbeddedLog.open(dir);
    await log.admin().createTopics([{ name: 'orders', partitions: 1 }]);
    await log.append(
      [{ item: 'apple', qty: 2 }, { item: 'pear', qty: 5 }].map((o, i) => ({ topic: 'orders', partition: 0, key: Buffer.from(`o${i}`), value: writer.serialize(o, 'orders'), timestamp: i })),
    );
    await log.close();

    const started = Date.now();
    const down = Serdes.Avro<Order>({ registry: { url: 'http://127.0.0.1:9', timeoutMs: 2000, maxRetries: 2, retryBackoffMs: 50 } });
    await expect(app(down).run({ untilIdle: true })).rejects.toThrow(
      /could not deserialize record orders-0@0: schema registry unreachable \(schema id 1, 3 attempts\): http:\/\/127\.0\.0\.1:9: .*; stopping without skipping the record/,
    );
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(await readAll(dir, 'orders-app-dlq', S, S)).toEqual([]);
    expect(await readAll(dir, 'lines', S, S)).toEqual([]);

    await app(Serdes.Avro<Order>({ registry })).run({ untilIdle: true });
    expect((await readAll(dir, 'lines', S, S)).map((r) => [r.key, r.value])).toEqual([
      ['o0', 'apple:2'],
      ['o1', 'pear:5'],
    ]);
    expect(await readAll(dir, 'orders-app-dlq', S, S)).toEqual([]);
  });

  it('a schema-less Avro repartition serde (nothing to register) sends each record to the DLQ at once', async () => {
    await produce(dir, 'items', ['tea', 'jam', 'tea'].map((value, i) => ({ key: String(i), value })));
    const b = new StreamsBuilder();
    b.stream('items', Consumed.with(S, S))
      .selectKey((_k, item) => item)
      .groupByKey(Grouped.with(S, Serdes.Avro<string>({ registry: `mock://schemaless-${process.pid}` })))
      .count();
    const started = Date.now();
    await new KafkaStreams(b.build(), { 'application.id': 'items-app', 'data.dir': dir, logger: silentLogger }).run({ untilIdle: true });
    expect(Date.now() - started).toBeLessThan(30_000);
    const dlq = await readAll(dir, 'items-app-dlq', S, S);
    expect(dlq.map((r) => r.value).sort()).toEqual(['jam', 'tea', 'tea']);
    expect(dlq[0]!.headers.get('__streams.errors.message')).toMatch(/subject '.*-repartition-value' not found \(40401\)/);
  });
});
