import { expect, inject } from 'vitest';

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

/** A record in Confluent's wire format built by hand: magic 0, the id big-endian, Protobuf message indexes, payload. */
export function framed(id: number, payload: Uint8Array, indexes: number[] = []): Buffer {
  const header = Buffer.alloc(5);
  header.writeInt32BE(id, 1);
  return Buffer.concat([header, Buffer.from(indexes), payload]);
}
