import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

import { createKafkaBus } from '@onlinetime/bus';
import { TOPICS } from '@onlinetime/events';
import { createLogger } from '@onlinetime/logging';
import { createDatabaseIfMissing, dropDatabase, migrate } from '@onlinetime/store';
import type { TestProject } from 'vitest/node';

import { startKafkaBroker, type KafkaBroker } from '@onlinetime/kafka-harness';

const run = promisify(execFile);
const DEFAULT_MYSQL_SERVER = 'mysql://root@127.0.0.1:3306';

/**
 * Integration tests run on real parts: a Kafka broker (started here from Maven Central artifacts
 * unless KAFKA_BROKERS is set) and MySQL/MariaDB (MYSQL_URL, else a fresh database on the local
 * server). Anything missing fails the run loudly; nothing is skipped.
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const logger = createLogger({ name: 'test-infra', level: 'warn' });
  // Child-process tests run the compiled CLI: make sure dist/ matches the sources.
  await run('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: resolve(import.meta.dirname, '..') });

  let broker: KafkaBroker | undefined;
  let brokers = process.env['KAFKA_BROKERS'];
  if (brokers === undefined || brokers === '') {
    broker = await startKafkaBroker();
    brokers = broker.brokers;
  }

  const bus = createKafkaBus({ brokers: brokers.split(','), clientId: 'test-setup', logger });
  try {
    // Proves the broker really serves requests (metadata, topic creation with leaders).
    await bus.ensureTopics([
      { topic: TOPICS.sessions, partitions: 4, retentionMs: -1 },
      { topic: TOPICS.edges, partitions: 1, retentionMs: -1 },
      { topic: TOPICS.iq, partitions: 4, retentionMs: 3600_000 },
    ]);
  } catch (err) {
    await broker?.stop();
    throw new Error(`Kafka at ${brokers} is not usable: ${(err as Error).message}`);
  } finally {
    await bus.stop();
  }

  const givenUrl = process.env['MYSQL_URL'];
  const mysqlUrl =
    givenUrl !== undefined && givenUrl !== ''
      ? givenUrl
      : `${DEFAULT_MYSQL_SERVER}/onlinetime_test_${randomBytes(4).toString('hex')}`;
  try {
    await createDatabaseIfMissing(mysqlUrl);
    await migrate({ url: mysqlUrl });
  } catch (err) {
    await broker?.stop();
    throw new Error(
      `MySQL/MariaDB at ${mysqlUrl.replace(/\/\/[^@]*@/, '//***@')} is not usable: ${(err as Error).message}. ` +
        'Start it (see README, "Running the tests") or set MYSQL_URL.',
    );
  }

  project.provide('kafkaBrokers', brokers);
  project.provide('mysqlUrl', mysqlUrl);
  process.env['KAFKA_BROKERS'] = brokers;
  process.env['MYSQL_URL'] = mysqlUrl;

  return async () => {
    if (givenUrl === undefined || givenUrl === '') await dropDatabase(mysqlUrl);
    await broker?.stop();
  };
}
