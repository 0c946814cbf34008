/**
 * The independent producer and consumer of the registry tests: Apicurio Registry's own Java Kafka serdes in the
 * Confluent wire format (java/, built by java-build.ts).
 * One JVM per call; records go in and come out as JSON lines.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { javaCommand } from '../../src/kafka-local/jars.js';
import { kafkaBrokers } from '../kafka/helpers.js';
import { ensureJavaClientsBuilt } from './java-build.js';
const CALL_TIMEOUT_MS = 120_000;

export type RegistryFormat = 'AVRO' | 'PROTOBUF' | 'JSON_SR';

export interface JsonRecord {
  key: string | null;
  value: unknown;
}

/** Apicurio's serdes use its native v3 API; the tests know the Confluent-compatible one (`.../apis/ccompat/v7`). */
function nativeApi(ccompatUrl: string): string {
  return ccompatUrl.replace(/\/apis\/ccompat\/v\d+\/?$/, '/apis/registry/v3');
}

function runClients(args: string[], stdin: string): Promise<string> {
  const dir = ensureJavaClientsBuilt();
  const cp = [join(dir, 'registry-clients-1.jar'), join(dir, 'lib', '*')].join(':');
  return new Promise((resolve, reject) => {
    const proc = spawn(javaCommand(), ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', cp, 'kstream.registry.Clients', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    proc.stderr.on('data', (d: Buffer) => (err = (err + d.toString('utf8')).slice(-4000)));
    const timer = setTimeout(() => proc.kill('SIGKILL'), CALL_TIMEOUT_MS);
    proc.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`registry clients ${args[0]} exited (${signal ?? code}): ${err.trim()}`));
    });
    proc.stdin.end(stdin);
  });
}

/** Writes records to a topic with Apicurio's serializer; Avro and Protobuf schemas are registered from the data (TOPIC-value). */
export async function produceWithApicurio(registryUrl: string, topic: string, format: RegistryFormat, schema: string, records: JsonRecord[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kstream-registry-clients-'));
  try {
    const file = join(dir, 'schema');
    writeFileSync(file, schema);
    const lines = records.map((r) => JSON.stringify(r)).join('\n');
    await runClients(['produce', kafkaBrokers().join(','), nativeApi(registryUrl), topic, format, file], `${lines}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Reads `count` records from the start of a topic with Apicurio's deserializer (the schema found by the record's
 * id). Protobuf: `message` names the message to read (Apicurio 3.1.7 skips Confluent's message indexes unread).
 */
export async function consumeWithApicurio(registryUrl: string, topic: string, format: RegistryFormat, count: number, message = 'ConnectDefault1'): Promise<JsonRecord[]> {
  const args = [kafkaBrokers().join(','), nativeApi(registryUrl), topic, format, String(count), '60000', message];
  const out = await runClients(['consume', ...args], '');
  return out.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as JsonRecord);
}
