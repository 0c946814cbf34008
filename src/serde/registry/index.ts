export { SchemaRegistryClient, SchemaRegistryError, SchemaRegistryUnavailableError, registryConfigFromProperties } from './client.js';
export type { RegistrySchema, SchemaReference, SchemaRegistryConfig, SchemaType, SubjectVersion } from './client.js';
export { AvroSerde, type AvroSerdeOptions, avro, avroType } from './avro.js';
export { ProtobufSerde, type ProtobufSerdeOptions, protobuf, protoSchema } from './protobuf.js';
export { JsonSchemaSerde, type JsonSchemaSerdeOptions } from './json-schema.js';
export { RegistrySerde, type RegistrySerdeOptions, registryClient } from './registry-serde.js';
export { decodeMessageIndexes, encodeMessageIndexes, readSchemaId, writeHeader, HEADER_SIZE, MAGIC_BYTE } from './wire-format.js';
export { MemorySchemaRegistryClient, dropMockScope } from './memory-registry.js';
