/** The shared runtime scenarios on the embedded log (the Kafka runner is test/kafka/scenarios.test.ts). */
import { afterEach, beforeEach, describe, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { silentLogger } from '../../src/common/logger.js';
import { tempDir } from '../helpers/embedded.js';
import { readThrough, toProduced, type ScenarioEnv } from './env.js';
import { scenarios } from './index.js';

function embeddedEnv(dir: string): ScenarioEnv {
  const withLog = async <T>(fn: (log: EmbeddedLog) => Promise<T>): Promise<T> => {
    const log = EmbeddedLog.open(dir);
    try {
      return await fn(log);
    } finally {
      await log.close();
    }
  };
  const env: ScenarioEnv = {
    kind: 'embedded',
    timeBase: 0,
    topic: (name) => name,
    appId: (name) => name,
    createTopic: (topic, partitions) => withLog((log) => log.admin().createTopics([{ name: topic, partitions }])),
    produce: (topic, records, partitions = 1) =>
      withLog(async (log) => {
        await log.admin().createTopics([{ name: topic, partitions }]);
        const n = (await log.admin().describeTopics([topic])).get(topic)!.partitions;
        await log.append(toProduced(topic, records, n));
      }),
    read: (topic, keySerde, valueSerde) => withLog((log) => readThrough(log, topic, keySerde, valueSerde)),
    describeTopics: (names) => withLog((log) => log.admin().describeTopics(names)),
    async runUntilIdle(topology, config) {
      const streams = new KafkaStreams(topology, { 'data.dir': dir, logger: silentLogger, ...config });
      await streams.run({ untilIdle: true });
      return streams;
    },
    wipeState: (appId) => rmSync(join(dir, 'state', appId), { recursive: true, force: true }),
    stateDirOf: (appId) => join(dir, 'state', appId),
    withLog,
  };
  return env;
}

describe('runtime scenarios on the embedded log', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('kstream-scenario-')));
  afterEach(() => cleanup());

  for (const s of scenarios) {
    if (s.only === 'kafka') continue;
    it(s.name, () => s.run(embeddedEnv(dir)), s.timeoutMs);
  }
});
