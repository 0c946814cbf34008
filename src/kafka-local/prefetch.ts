/**
 * Fetch Kafka broker jars into the cache ahead of time (for CI): `npx tsx src/kafka-local/prefetch.ts [version...]`.
 * With no version, fetches `$KSTREAM_TEST_KAFKA_VERSION` or the default version. Also fetches the schema
 * registry (Apicurio) that `kstream local schema-registry` and the registry tests run.
 */
import { DEFAULT_KAFKA_VERSION, ensureKafkaJars } from './jars.js';
import { ensureRegistryApp } from './registry-app.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  const versions = args.length ? args : [process.env.KSTREAM_TEST_KAFKA_VERSION || DEFAULT_KAFKA_VERSION];
  for (const version of versions) {
    const jars = await ensureKafkaJars({ version });
    process.stderr.write(
      `kstream: Kafka ${version} jars ${jars.downloaded ? `fetched in ${(jars.elapsedMs / 1000).toFixed(1)}s` : 'already cached'}: ${jars.libsDir}\n`,
    );
  }
  const app = await ensureRegistryApp();
  process.stderr.write(`kstream: Apicurio Registry ${app.version} ${app.downloaded ? `fetched in ${(app.elapsedMs / 1000).toFixed(1)}s` : 'already cached'}: ${app.appDir}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`kstream: error: ${(err as Error).message}\n`);
  process.exit(1);
});
