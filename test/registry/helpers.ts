import { expect, inject } from 'vitest';
import { KafkaStreams, type Topology } from '../../src/index.js';
import { silentLogger } from '../../src/common/logger.js';
import { kafkaBrokers } from '../kafka/helpers.js';
import { produceWithApicurio, type RegistryFormat } from './java-clients.js';

/** Registers a schema with plain HTTP (independently of kstream's client) and returns its id. */
export async function registerSchema(subject: string, schema: string, schemaType?: string): Promise<number> {
  const res = await fetch(`${inject('registryUrl')}/subjects/${subject}/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify(schemaType ? { schema, schemaType } : { schema }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: number }).id;
}

/** The input records' schema in each format, for the independent producer (test/registry/java-clients.ts). */
export const ORDER_SCHEMAS = {
  AVRO: JSON.stringify({ type: 'record', name: 'Order', namespace: 'shop', fields: [{ name: 'id', type: 'long' }, { name: 'item', type: 'string' }, { name: 'qty', type: 'int' }] }),
  PROTOBUF: 'syntax = "proto3";\npackage shop;\nmessage Order { int64 id = 1; string item = 2; int32 qty = 3; }\n',
  JSON_SR: JSON.stringify({ type: 'object', properties: { id: { type: 'integer' }, item: { type: 'string' }, qty: { type: 'integer' } } }),
} as const;

/**
 * Writes orders with Apicurio's Java serializer: it registers Avro and Protobuf schemas from the data; a JSON
 * Schema is registered first with plain HTTP (the serializer takes the subject's latest).
 */
export async function produceOrders(topic: string, format: RegistryFormat, orders: ReadonlyArray<{ id: number; item: string; qty: number }>): Promise<void> {
  if (format === 'JSON_SR') await registerSchema(`${topic}-value`, ORDER_SCHEMAS.JSON_SR, 'JSON');
  await produceWithApicurio(inject('registryUrl'), topic, format, ORDER_SCHEMAS[format], orders.map((o) => ({ key: o.item, value: o })));
}

/** The latest schema registered under a subject, read with plain HTTP. */
export async function latestSchema(subject: string): Promise<{ id: number; schema: string; schemaType?: string }> {
  return (await (await fetch(`${inject('registryUrl')}/subjects/${subject}/versions/latest`)).json()) as { id: number; schema: string; schemaType?: string };
}

/** Runs a topology on the test broker until every input is processed and committed. */
export async function runUntilIdleOnKafka(topology: Topology, applicationId: string, stateDir: string, extra: Record<string, unknown> = {}): Promise<void> {
  const streams = new KafkaStreams(topology, {
    'application.id': applicationId,
    'bootstrap.servers': kafkaBrokers().join(','),
    'state.dir': stateDir,
    'session.timeout.ms': 6000,
    'heartbeat.interval.ms': 500,
    logger: silentLogger,
    ...extra,
  });
  await streams.run({ untilIdle: true });
}
