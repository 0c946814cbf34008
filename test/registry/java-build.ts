/**
 * Builds the independent registry clients (java/: Apicurio Registry's Java serdes) with Maven once; the jar and its
 * dependencies are cached in `<kstream cache>/registry-clients/<hash of pom.xml and sources>`. No vitest import:
 * the registry project's global setup calls it so that no test waits on Maven.
 */
import { fileURLToPath } from 'node:url';
import { javaCommand } from '../../src/kafka-local/jars.js';
import { ensureMavenProjectBuilt } from '../../src/kafka-local/maven-project.js';
import { ensureCommand } from '../helpers/system-tools.js';

const JAVA_DIR = fileURLToPath(new URL('./java', import.meta.url));

/** The folder of the built clients (a minute or two the first time, then the cache). */
export function ensureJavaClientsBuilt(): string {
  return ensureMavenProjectBuilt({
    dir: JAVA_DIR,
    cacheName: 'registry-clients',
    jar: 'registry-clients-1.jar',
    what: 'independent registry clients (Apicurio serdes)',
    beforeBuild: () => {
      if (!process.env.KSTREAM_MVN) ensureCommand('mvn', 'maven');
      if (javaCommand() === 'java') ensureCommand('java', 'openjdk-17-jdk-headless');
    },
  });
}
