import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The broker version: see the README's "Kafka version" for why 3.9.1 and not 4.x. */
export const KAFKA_VERSION = '3.9.1';

/** From src/ and from dist/ alike: the package is packages/kafka-harness in the repository. */
const packageDir = resolve(import.meta.dirname, '..');
const POM = join(packageDir, 'kafka', 'pom.xml');
/** The repository's git-ignored .cache/, shared by the tests and the benchmarks. */
export const DEFAULT_CACHE_DIR = resolve(packageDir, '..', '..', '.cache');

const NEEDED_JARS = ['kafka_2.13-', 'kafka-clients-', 'kafka-raft-', 'kafka-metadata-', 'scala-library-'];

/**
 * Copies kafka_2.13 and its runtime dependencies from Maven Central once into
 * `<cacheDir>/kafka-<version>/libs`; returns that folder.
 */
export async function ensureKafkaClasspath(cacheDir: string = DEFAULT_CACHE_DIR): Promise<string> {
  const libs = join(cacheDir, `kafka-${KAFKA_VERSION}`, 'libs');
  const marker = join(libs, '.complete');
  if (existsSync(marker)) return libs;
  mkdirSync(libs, { recursive: true });
  await run(
    'mvn',
    [
      '-B',
      '-q',
      '-f',
      POM,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${libs}`,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  ).catch((err: Error & { stdout?: string }) => {
    throw new Error(
      `could not fetch the Kafka broker from Maven Central: ${err.message}\n${err.stdout ?? ''}`,
    );
  });
  const jars = readdirSync(libs);
  for (const needed of NEEDED_JARS) {
    if (!jars.some((j) => j.startsWith(needed)))
      throw new Error(`Kafka classpath incomplete: no ${needed}*.jar in ${libs}`);
  }
  writeFileSync(marker, new Date().toISOString());
  return libs;
}
