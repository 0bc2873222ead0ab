import { createEmbeddedBus, createKafkaBus, type Bus } from '@onlinetime/bus';
import { createLogger, type Logger, type LogLevel } from '@onlinetime/logging';
import { createMetrics, type Metrics } from '@onlinetime/metrics';
import { createMemoryStore, createMysqlStore, migrate, type Store } from '@onlinetime/store';

export interface InfrastructureOptions {
  readonly service: string;
  readonly logLevel: LogLevel;
  /** Unset: the embedded in-process bus (dev mode only). */
  readonly kafkaBrokers: readonly string[] | undefined;
  /** Unset: the in-memory store (dev mode only). */
  readonly mysqlUrl: string | undefined;
  /** Apply pending migrations before use (dev mode and admin commands; services expect `setup` ran). */
  readonly migrate: boolean;
}

export interface Infrastructure {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly bus: Bus;
  readonly store: Store;
  readonly embeddedBus: boolean;
  readonly memoryStore: boolean;
  close(): Promise<void>;
}

/** Opens the bus and store a service runs on: the real ones when configured, embedded ones otherwise. */
export async function openInfrastructure(options: InfrastructureOptions): Promise<Infrastructure> {
  const logger = createLogger({ name: options.service, level: options.logLevel });
  const metrics = createMetrics();
  const bus =
    options.kafkaBrokers === undefined
      ? createEmbeddedBus()
      : createKafkaBus({
          brokers: [...options.kafkaBrokers],
          clientId: `onlinetime-${options.service}`,
          logger,
          // KafkaJS handles one partition batch at a time by default: IQ latency and worker
          // throughput both need the partitions a member holds served side by side.
          consumer: { partitionsConsumedConcurrently: 4 },
        });
  let store: Store;
  if (options.mysqlUrl === undefined) {
    store = createMemoryStore();
  } else {
    if (options.migrate) await migrate({ url: options.mysqlUrl, logger });
    store = createMysqlStore({ url: options.mysqlUrl, logger });
  }
  return {
    logger,
    metrics,
    bus,
    store,
    embeddedBus: options.kafkaBrokers === undefined,
    memoryStore: options.mysqlUrl === undefined,
    async close() {
      await bus.stop();
      await store.close();
    },
  };
}
