import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from './config.js';
import { silentLogger } from '../common/logger.js';

describe('processing.guarantee', () => {
  const resolve = (g?: string) => resolveConfig({ 'application.id': 'app', ...(g === undefined ? {} : { 'processing.guarantee': g as 'exactly_once' }) }, silentLogger);

  it('exactly_once_v2 is exactly_once with one transactional producer per worker', () => {
    const c = resolve('exactly_once_v2');
    expect([c.guarantee, c.transactionalProducers, c.commitIntervalMs]).toEqual(['exactly_once', 'per-worker', 100]);
  });

  it('exactly_once (the default) keeps a producer per task; at_least_once commits every 30 s', () => {
    expect([resolve().guarantee, resolve().transactionalProducers]).toEqual(['exactly_once', 'per-task']);
    expect([resolve('exactly_once').transactionalProducers, resolve('at_least_once').commitIntervalMs]).toEqual(['per-task', 30_000]);
  });

  it('an unknown guarantee names the valid ones', () => {
    expect(() => resolve('exactly_twice')).toThrow(ConfigError);
    expect(() => resolve('exactly_twice')).toThrow("processing.guarantee: expected exactly_once_v2, exactly_once or at_least_once, got 'exactly_twice'");
  });
});
