/**
 * vitest globalSetup of the `registry` project: one real Confluent-compatible schema registry (Apicurio, in
 * memory) for the whole run, on 127.0.0.1:`$KSTREAM_TEST_REGISTRY_PORT` (default 28081), data dir in a temp dir
 * removed at teardown. `$KSTREAM_TEST_REGISTRY_URL` uses that registry instead and starts nothing.
 * Tests read the URL with `inject('registryUrl')`. Also builds the independent Java clients (java-build.ts) first. If the registry cannot start, setup throws and the run fails.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalSchemaRegistry, stopLocalSchemaRegistry } from '../../src/kafka-local/schema-registry.js';
import { ensureJavaClientsBuilt } from './java-build.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>/apis/ccompat/v7` */
    registryUrl: string;
    /** Data dir of the test registry ('' when external). */
    registryDataDir: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  ensureJavaClientsBuilt();
  const external = process.env.KSTREAM_TEST_REGISTRY_URL?.trim();
  if (external) {
    project.provide('registryUrl', external);
    project.provide('registryDataDir', '');
    return undefined;
  }
  const port = Number(process.env.KSTREAM_TEST_REGISTRY_PORT || 28081);
  const dataDir = await mkdtemp(join(tmpdir(), `kstream-test-registry-${port}-`));
  const teardown = async (): Promise<void> => {
    await stopLocalSchemaRegistry({ dataDir, timeoutMs: 20_000, log: () => undefined });
    await rm(dataDir, { recursive: true, force: true });
  };
  let info;
  try {
    info = await startLocalSchemaRegistry({ port, dataDir, timeoutMs: Number(process.env.KSTREAM_TEST_REGISTRY_TIMEOUT_MS || 180_000) });
  } catch (err) {
    await teardown().catch(() => undefined);
    throw new Error(`the schema registry for the tests did not start: ${(err as Error).message}`);
  }
  if (info.pid === undefined) {
    await teardown().catch(() => undefined);
    throw new Error(`a schema registry that the test setup did not start already answers at ${info.url}; set KSTREAM_TEST_REGISTRY_URL=${info.url} to use it, or KSTREAM_TEST_REGISTRY_PORT to use another port`);
  }
  project.provide('registryUrl', info.url);
  project.provide('registryDataDir', dataDir);
  process.stderr.write(`kstream: test schema registry at ${info.url} (started in ${(info.startupMs / 1000).toFixed(1)}s)\n`);
  return teardown;
}
