import { createKafkaBus, type KafkaBus } from '@onlinetime/bus';
import { COMMON_VARIABLES, parsers, readConfig, type Env, type VariableSpec } from '@onlinetime/config';
import { createLogger, type Logger, type LogLevel } from '@onlinetime/logging';
import { createMysqlStore, migrate, type Store } from '@onlinetime/store';

/** Admin commands write their results to stdout: their logs go to stderr, quiet by default. */
export const CLI_LOG_LEVEL = {
  ...COMMON_VARIABLES.logLevel,
  default: 'warn',
  description: `${COMMON_VARIABLES.logLevel.description} (JSON lines on stderr)`,
} satisfies VariableSpec<LogLevel>;

export const MYSQL_URL_REQUIRED = {
  ...COMMON_VARIABLES.mysqlUrl,
  required: true,
  description: 'mysql://user:password@host:port/database',
} as const;
export const KAFKA_BROKERS_REQUIRED = {
  ...COMMON_VARIABLES.kafkaBrokers,
  required: true,
  description: 'Kafka bootstrap servers, host:port[,host:port…]',
} as const;

/** The consumer group of the sessions worker, whose offsets audit and rebuild look at. */
export const SESSIONS_GROUP = {
  name: 'SESSIONS_GROUP_ID',
  description: 'consumer group of the sessions workers (offsets checked by audit, reset by rebuild)',
  default: 'onlinetime-sessions',
  parse: parsers.identifier,
} satisfies VariableSpec<string>;

export function cliLogger(env: Env, name: string): Logger {
  const { level } = readConfig({ level: CLI_LOG_LEVEL }, env);
  return createLogger({ name: `onlinetime-${name}`, level, destination: process.stderr });
}

/** Applies pending migrations, then opens the store (the pool connects on first query). */
export async function openMigratedStore(url: string, logger: Logger): Promise<Store> {
  await migrate({ url, logger });
  return openStore(url, logger);
}

/** Opens the store without touching the schema: read-only commands (audit, online-time) need no DDL rights. */
export function openStore(url: string, logger: Logger): Store {
  return createMysqlStore({ url, logger, poolSize: 4 });
}

/**
 * Fetch sizes of audit/rebuild replays. Measured on 1M events (bench/audit.ts): 256 KiB per partition
 * and 1 MiB per fetch cost ~30% less CPU than the bus defaults (10/50 MiB), whose huge responses are
 * reassembled by KafkaJS with Buffer.concat and churn external memory.
 */
const READ_LOG_FETCH = { maxBytesPerPartition: 262_144, maxBytes: 1_048_576, minBytes: 262_144 } as const;

export function openBus(brokers: readonly string[], command: string, logger: Logger): KafkaBus {
  return createKafkaBus({
    brokers,
    clientId: `onlinetime-cli-${command}`,
    logger,
    retry: { retries: 3 },
    readLog: READ_LOG_FETCH,
  });
}
