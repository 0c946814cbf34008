/**
 * Internal configs (Kafka Streams' StreamsConfig.InternalConfig): keys that processors read from the
 * app configs and that the runtime (e.g. the test driver) sets; not part of the public config.
 */

/** The left/outer stream-stream join emission throttle (Kafka Streams' name), and a short alias. */
export const EMIT_INTERVAL_OUTER_JOIN = '__emit.interval.ms.kstreams.outer.join.spurious.results.fix__';
export const EMIT_INTERVAL_ALIAS = 'internal.emit.interval.ms';
