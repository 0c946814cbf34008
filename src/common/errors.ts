/** Kafka Streams' IllegalArgumentException (invalid window specifications, store parameters, ...). */
export class IllegalArgumentError extends Error {
  override readonly name = 'IllegalArgumentError';
}

/** Kafka Streams' IllegalStateException (e.g. setting grace twice). */
export class IllegalStateError extends Error {
  override readonly name = 'IllegalStateError';
}
