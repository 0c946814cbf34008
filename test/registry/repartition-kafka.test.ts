/**
 * A serde that cannot write a record (a schema-less Serdes.Avro on a repartition topic: no schema to register and
 * no subject to take one from) fails that record, which goes to the dead-letter topic at once, on Kafka as on the
 * embedded log; nothing waits for it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { Consumed, Grouped, Serdes, StreamsBuilder } from '../../src/index.js';
import { createTopics, readRecords, testKafka, uniqueTopic } from '../kafka/helpers.js';
import { runUntilIdleOnKafka } from './helpers.js';

const url = inject('registryUrl');
const stateRoot = mkdtempSync(join(tmpdir(), 'kstream-registry-repartition-'));
afterAll(() => rmSync(stateRoot, { recursive: true, force: true }));

describe('a schema-less Avro serde as repartition serde on Kafka', () => {
  it.each([
    { guarantee: 'at_least_once', dlqExists: true },
    { guarantee: 'at_least_once', dlqExists: false },
    { guarantee: 'exactly_once_v2', dlqExists: false },
  ])('sends every record to the DLQ with the registry error, without hanging ($guarantee, DLQ topic created first: $dlqExists)', async ({ guarantee, dlqExists }) => {
    const input = uniqueTopic('sr-rep-in');
    const appId = `sr-rep-${input}`;
    await createTopics(input, ...(dlqExists ? [`${appId}-dlq`] : []));
    const producer = testKafka('registry-repartition-producer').producer();
    await producer.connect();
    await producer.send({ topic: input, messages: ['tea', 'jam', 'tea'].map((item, i) => ({ key: String(i), value: item })) });
    await producer.disconnect();

    const builder = new StreamsBuilder();
    builder
      .stream(input, Consumed.with(Serdes.String(), Serdes.String()))
      .selectKey((_k, item) => item)
      .groupByKey(Grouped.with(Serdes.String(), Serdes.Avro<string>({ registry: url })))
      .count();
    const started = Date.now();
    await runUntilIdleOnKafka(builder.build(), appId, stateRoot, { 'processing.guarantee': guarantee });
    expect(Date.now() - started).toBeLessThan(90_000);
    const dlq = await readRecords(`${appId}-dlq`, { count: 3, timeoutMs: 30_000 });
    expect(dlq.map((r) => r.value).sort()).toEqual(['jam', 'tea', 'tea']);
    expect(dlq[0]!.headers!['__streams.errors.message']!.toString()).toMatch(/subject '.*-repartition-value' not found \(40401\)/);
  }, 180_000);
});
