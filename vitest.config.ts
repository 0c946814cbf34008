import { configDefaults, defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  resolve: {
    // examples import 'kstream'; in tests that name means the sources, not the build
    alias: { kstream: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
  },
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/kafka/**', 'test/registry/**'],
        },
      },
      {
        // Runs against a real single-node Kafka broker that the global setup starts.
        extends: true,
        test: { name: 'kafka', include: ['test/kafka/**/*.test.ts'], globalSetup: ['test/kafka/global-setup.ts'] },
      },
      {
        // Against a real schema registry (Apicurio) and a real broker, both started by the global setups.
        extends: true,
        test: {
          name: 'registry',
          include: ['test/registry/**/*.test.ts'],
          globalSetup: ['test/registry/global-setup.ts', 'test/kafka/global-setup.ts'],
        },
      },
    ],
  },
});
