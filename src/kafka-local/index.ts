export {
  DEFAULT_KAFKA_VERSION,
  ensureKafkaJars,
  kafkaLibsDir,
  kstreamCacheDir,
  type KafkaJars,
  type KafkaJarsManifest,
} from './jars.js';
export {
  DEFAULT_LOCAL_KAFKA_PORT,
  defaultLocalKafkaDataDir,
  kafkaAnswers,
  startLocalKafka,
  statusLocalKafka,
  stopLocalKafka,
  waitForKafka,
  type LocalKafkaInfo,
  type LocalKafkaOptions,
  type LocalKafkaStatus,
  type StopLocalKafkaOptions,
  type StopLocalKafkaResult,
} from './broker.js';
export { registerLocalKafkaCommands } from './command.js';
export { DEFAULT_APICURIO_VERSION, ensureRegistryApp } from './registry-app.js';
export {
  CCOMPAT_PATH,
  DEFAULT_LOCAL_REGISTRY_PORT,
  localRegistryUrl,
  registryAnswers,
  startLocalSchemaRegistry,
  statusLocalSchemaRegistry,
  stopLocalSchemaRegistry,
  type LocalRegistryInfo,
  type LocalRegistryStatus,
} from './schema-registry.js';
export { registerLocalSchemaRegistryCommands } from './registry-command.js';
