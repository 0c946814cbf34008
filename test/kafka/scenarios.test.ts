/** The shared runtime scenarios (test/scenarios) on the real Kafka broker of the test run. */
import { afterAll, afterEach, beforeAll, beforeEach, describe, it } from 'vitest';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaLog } from '../../src/log/kafka/kafka-log.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { silentLogger } from '../../src/common/logger.js';
import { readThrough, toProduced, type ScenarioEnv } from '../scenarios/env.js';
import { scenarios } from '../scenarios/index.js';
import { kafkaBrokers, kafkaVersion, uniqueId } from './helpers.js';

/** A recent time, aligned to 10^8 ms: records older than a topic's retention would be deleted by the broker. */
const TIME_BASE = Math.floor((Date.now() - 86_400_000) / 1e8) * 1e8;

/** Settings that keep failover quick in tests. */
export const TEST_KAFKA_SETTINGS = { 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 500 };

/** KSTREAM_TEST_LOG_DIR=<dir>: each scenario's runtime log goes to <dir>/<suffix>.log (debugging). */
function scenarioLogger(suffix: string) {
  const dir = process.env.KSTREAM_TEST_LOG_DIR;
  if (!dir) return silentLogger;
  const write = (level: string) => (m: string) => appendFileSync(join(dir, `${suffix}.log`), `${new Date().toISOString()} ${level} ${m}\n`);
  return { debug: write('DEBUG'), info: write('INFO'), warn: write('WARN'), error: write('ERROR') };
}

function kafkaEnv(log: KafkaLog, brokers: string, stateRoot: string, guarantee: 'exactly_once' | 'exactly_once_v2'): ScenarioEnv {
  const suffix = uniqueId('s');
  const logger = scenarioLogger(suffix);
  const env: ScenarioEnv = {
    kind: 'kafka',
    timeBase: TIME_BASE,
    topic: (name) => `${name}-${suffix}`,
    appId: (name) => `${name}-${suffix}`,
    createTopic: (topic, partitions) => log.admin().createTopics([{ name: topic, partitions }]),
    async produce(topic, records, partitions = 1) {
      await log.admin().createTopics([{ name: topic, partitions }]);
      const n = (await log.admin().describeTopics([topic])).get(topic)!.partitions;
      await log.append(toProduced(topic, records, n, TIME_BASE));
    },
    read: (topic, keySerde, valueSerde) => readThrough(log, topic, keySerde, valueSerde),
    describeTopics: (names) => log.admin().describeTopics(names),
    async runUntilIdle(topology, config) {
      const streams = new KafkaStreams(topology, {
        'bootstrap.servers': brokers,
        'state.dir': stateRoot,
        logger,
        'processing.guarantee': guarantee,
        ...TEST_KAFKA_SETTINGS,
        ...config,
      });
      await streams.run({ untilIdle: true });
      return streams;
    },
    wipeState: (appId) => rmSync(join(stateRoot, appId), { recursive: true, force: true }),
    stateDirOf: (appId) => join(stateRoot, appId),
    withLog: (fn) => fn(log),
  };
  return env;
}

/** exactly_once with a transactional producer per task and per worker (scenarios that set at_least_once keep it). */
describe.each(['exactly_once', 'exactly_once_v2'] as const)(`runtime scenarios on Kafka ${kafkaVersion()}, %s`, (guarantee) => {
  let log: KafkaLog;
  let stateRoot: string;
  const brokers = () => kafkaBrokers().join(',');
  beforeAll(async () => {
    log = await KafkaLog.open(brokers(), { logger: silentLogger });
  });
  afterAll(async () => {
    await log?.close();
  });
  beforeEach(() => {
    stateRoot = mkdtempSync(join(tmpdir(), 'kstream-kscenario-'));
  });
  afterEach(() => rmSync(stateRoot, { recursive: true, force: true }));

  for (const s of scenarios) {
    if (s.only === 'embedded') continue;
    it(s.name, () => s.run(kafkaEnv(log, brokers(), stateRoot, guarantee)), s.timeoutMs ?? 90_000);
  }
});
