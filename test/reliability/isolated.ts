/**
 * A Kafka broker and a MySQL database of one test's own, for cases that must not share the run's
 * broker: stopping the broker, or an audit that compares the whole log with the whole database.
 * Topics and tables are made the way an operator does it: `onlinetime setup`.
 */
import { startKafkaBroker, type KafkaBroker } from '@onlinetime/kafka-harness';
import { createMysqlStore, type Store } from '@onlinetime/store';

import { runCli, scratchDatabase, type ScratchDatabase } from '../cli-helpers.js';

export interface IsolatedInfra {
  readonly broker: KafkaBroker;
  readonly database: ScratchDatabase;
  readonly store: Store;
  /** KAFKA_BROKERS and MYSQL_URL of this infrastructure, for child processes and the CLI. */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export async function startIsolatedInfra(prefix: string): Promise<IsolatedInfra> {
  const [broker, database] = await Promise.all([startKafkaBroker(), scratchDatabase(prefix)]);
  const env = { KAFKA_BROKERS: broker.brokers, MYSQL_URL: database.url };
  try {
    const setup = await runCli(['setup'], { env, timeoutMs: 90_000 });
    if (setup.code !== 0) throw new Error(`onlinetime setup failed (${setup.code}): ${setup.stderr}`);
  } catch (err) {
    await broker.stop();
    await database.drop();
    throw err;
  }
  const store = createMysqlStore({ url: database.url, poolSize: 4 });
  return {
    broker,
    database,
    store,
    env,
    async close() {
      await store.close();
      await broker.stop();
      await database.drop();
    },
  };
}
