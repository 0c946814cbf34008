/** Errors of interactive queries (Kafka Streams' names). */

/** The store cannot be queried on this instance now (restoring, migrated, or the application is not running). */
export class InvalidStateStoreException extends Error {
  override name = 'InvalidStateStoreException';
}

/** No store of that name is part of the topology. */
export class UnknownStateStoreException extends InvalidStateStoreException {
  override name = 'UnknownStateStoreException';
}

/** The application was not started yet. */
export class StreamsNotStartedException extends InvalidStateStoreException {
  override name = 'StreamsNotStartedException';
}
