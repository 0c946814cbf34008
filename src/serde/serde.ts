/**
 * A Serde turns values of one type into bytes and back. `null` is the tombstone on both sides:
 * serialize(null) returns null and deserialize(null) returns null, as in Kafka's serdes.
 */
export interface Serde<T> {
  /** Short name shown by describe() and in error messages, e.g. "string", "json". */
  readonly name: string;
  serialize(data: T | null, topic?: string): Buffer | null;
  deserialize(data: Buffer | null, topic?: string): T | null;
}

/** Thrown by serdes for input they cannot read or write; the runtime's error handlers catch it. */
export class SerdeError extends Error {
  override readonly name = 'SerdeError';
}

/**
 * Thrown by a serde that cannot reach a service it needs (a schema registry) after retrying: the record is not at
 * fault, so it is not skipped or dead-lettered; the task stops without committing past it.
 */
export class SerdeUnavailableError extends Error {
  override readonly name = 'SerdeUnavailableError';
}
