import type { ManagedStore, StoreBuilder } from './managed-store.js';

/**
 * What every store builder has (Kafka Streams' AbstractStoreBuilder): change-logging, with topic
 * configs given to withLoggingEnabled over the store's defaults.
 */
export abstract class StoreBuilderBase implements StoreBuilder {
  abstract readonly name: string;
  abstract readonly kind: StoreBuilder['kind'];
  abstract readonly persistent: boolean;
  loggingEnabled = true;
  cachingEnabled = false;
  private changelogOverrides: Readonly<Record<string, string>> = {};

  /** The changelog topic's configs unless overridden: compacted. */
  protected defaultChangelogConfig(): Record<string, string> {
    return { 'cleanup.policy': 'compact' };
  }

  get changelogConfig(): Readonly<Record<string, string>> {
    return { ...this.defaultChangelogConfig(), ...this.changelogOverrides };
  }

  withLoggingEnabled(config: Record<string, string> = {}): this {
    this.loggingEnabled = true;
    this.changelogOverrides = config;
    return this;
  }

  withLoggingDisabled(): this {
    this.loggingEnabled = false;
    return this;
  }

  abstract build(): ManagedStore;
}

/** Builders of stores that can put a record cache in front (key-value, window, session). */
export abstract class CachingStoreBuilderBase extends StoreBuilderBase {
  withCachingEnabled(): this {
    this.cachingEnabled = true;
    return this;
  }

  withCachingDisabled(): this {
    this.cachingEnabled = false;
    return this;
  }
}

/** Window and session changelogs are compacted and deleted after the retention plus one day (Kafka Streams' default). */
export function windowedChangelogConfig(retentionMs: number): Record<string, string> {
  return { 'cleanup.policy': 'compact,delete', 'retention.ms': String(retentionMs + 24 * 60 * 60 * 1000) };
}
