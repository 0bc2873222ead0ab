import { ConfigError } from '@onlinetime/errors';
import { createHealthServer, type ReadinessCheck } from '@onlinetime/metrics';

import type { CommandContext } from '../command.js';
import { EXIT } from '../command.js';
import { openInfrastructure, type Infrastructure } from './infrastructure.js';

export interface RunningService {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Named readiness checks of this service, added to Kafka and MySQL reachability. */
  readonly checks: Readonly<Record<string, ReadinessCheck>>;
}

export interface ServiceSettings {
  readonly name: string;
  readonly kafkaBrokers: readonly string[] | undefined;
  readonly mysqlUrl: string | undefined;
  readonly metricsPort: number;
  /** Bound of the drain after the shutdown signal (STOP_TIMEOUT_MS). */
  readonly stopTimeoutMs: number;
  readonly logLevel: Parameters<typeof openInfrastructure>[0]['logLevel'];
  /** Services need the real Kafka and MySQL; only `dev` may fall back to embedded ones. */
  readonly requireRealInfrastructure: boolean;
}

/**
 * The life of a long-running service: open infrastructure, serve /metrics /healthz /readyz, start,
 * wait for SIGTERM/SIGINT, drain (the service finishes its batch, commits, leaves its group), exit 0.
 * A drain that outlives STOP_TIMEOUT_MS ends the process with exit 1: stopping a member can wait
 * on the group coordinator (a join in progress) or on a broker that is gone, and an operator's
 * `systemctl stop` or a rolling restart must not hang on it. What was not committed is redelivered.
 */
export async function runService(
  context: CommandContext,
  settings: ServiceSettings,
  build: (infra: Infrastructure) => RunningService | Promise<RunningService>,
): Promise<number> {
  if (settings.requireRealInfrastructure) {
    const missing = [
      ...(settings.kafkaBrokers === undefined
        ? [{ variable: 'KAFKA_BROKERS', message: 'is required by this service' }]
        : []),
      ...(settings.mysqlUrl === undefined
        ? [{ variable: 'MYSQL_URL', message: 'is required by this service' }]
        : []),
    ];
    if (missing.length > 0) throw new ConfigError(missing);
  }
  const infra = await openInfrastructure({
    service: settings.name,
    logLevel: settings.logLevel,
    kafkaBrokers: settings.kafkaBrokers,
    mysqlUrl: settings.mysqlUrl,
    migrate: !settings.requireRealInfrastructure,
  });
  const { logger } = infra;
  let service: RunningService | undefined;
  let health: Awaited<ReturnType<typeof createHealthServer>> | undefined;
  let bound: NodeJS.Timeout | undefined;
  try {
    service = await build(infra);
    health = await createHealthServer({
      port: settings.metricsPort,
      metrics: infra.metrics,
      checks: {
        mysql: () => infra.store.ping().then(() => true),
        ...(infra.embeddedBus ? {} : { kafka: () => infra.bus.describeTopics([]).then(() => true) }),
        ...service.checks,
      },
    });
    await service.start();
    logger.info({ metricsPort: health.port }, `${settings.name} started`);
    const signal = await context.shutdownSignal;
    logger.info({ signal, stopTimeoutMs: settings.stopTimeoutMs }, `${settings.name} stopping`);
    bound = boundShutdown(context, logger, settings);
    await service.stop();
    logger.info(`${settings.name} stopped`);
    return EXIT.ok;
  } catch (err) {
    // Settings that are wrong together (found while building the service): exit 2 like any other.
    if (err instanceof ConfigError && service === undefined) throw err;
    logger.fatal({ err }, `${settings.name} failed`);
    bound ??= boundShutdown(context, logger, settings);
    await service?.stop().catch(() => undefined);
    return EXIT.failure;
  } finally {
    await health?.close();
    await infra.close();
    if (bound !== undefined) clearTimeout(bound);
  }
}

/** Ends the process with exit 1 if the shutdown (drain, then closing Kafka and MySQL) outlives its bound. */
function boundShutdown(
  context: CommandContext,
  logger: Infrastructure['logger'],
  settings: ServiceSettings,
): NodeJS.Timeout {
  const timer = setTimeout(() => {
    logger.error(
      { stopTimeoutMs: settings.stopTimeoutMs },
      `${settings.name} did not stop within STOP_TIMEOUT_MS; exiting without waiting`,
    );
    context.exit(EXIT.failure);
  }, settings.stopTimeoutMs);
  // The bound alone must not keep a process alive whose shutdown finished.
  timer.unref();
  return timer;
}
