import { COMMON_VARIABLES, describeVariables, readConfig } from '@onlinetime/config';
import { EDGE_VARIABLES, createEdge } from '@onlinetime/edge';
import { TOPICS } from '@onlinetime/events';
import { RESPONDER_VARIABLES, createResponder } from '@onlinetime/responder';
import { SESSIONS_VARIABLES, createSessionsService } from '@onlinetime/sessions';

import type { Command } from '../command.js';
import { createDemoUsers, loginInstructions } from '../runtime/demo-users.js';
import { runService } from '../runtime/run-service.js';

const VARIABLES = {
  ...EDGE_VARIABLES,
  mysqlUrl: COMMON_VARIABLES.mysqlUrl,
  heartbeatTimeoutMs: SESSIONS_VARIABLES.heartbeatTimeoutMs,
  reaperSweepIntervalMs: SESSIONS_VARIABLES.reaperSweepIntervalMs,
  vcardMaxBytes: RESPONDER_VARIABLES.vcardMaxBytes,
} as const;

/** Partitions of the product topics when dev mode creates them (the embedded bus or a fresh Kafka). */
const DEV_TOPICS = [
  { topic: TOPICS.sessions, partitions: 4, retentionMs: -1 },
  { topic: TOPICS.edges, partitions: 1, retentionMs: 7 * 24 * 3600_000 },
  { topic: TOPICS.iq, partitions: 4, retentionMs: 3600_000 },
];

export const devCommand: Command = {
  name: 'dev',
  summary: 'everything in one process (what `npm start` runs): edge, sessions worker, reaper, responder',
  help: () =>
    [
      'usage: onlinetime dev',
      '',
      'Runs edge, sessions worker, reaper and responder in one process. Without KAFKA_BROKERS it uses an',
      'embedded in-process event log; without MYSQL_URL an in-memory store: then NOTHING IS PERSISTED.',
      'Each one set switches that part to the real thing. Creates demo users on first start and prints',
      'how to log in with a real client.',
      '',
      'environment:',
      describeVariables(VARIABLES),
    ].join('\n'),
  async run(context) {
    const config = readConfig(VARIABLES, context.env);
    return runService(
      context,
      { name: 'dev', ...config, requireRealInfrastructure: false },
      async ({ bus, store, logger, metrics, embeddedBus, memoryStore }) => {
        if (embeddedBus)
          logger.warn('KAFKA_BROKERS is not set: embedded in-process event log, nothing is persisted');
        if (memoryStore) logger.warn('MYSQL_URL is not set: in-memory store, nothing is persisted');
        await bus.ensureTopics(DEV_TOPICS);
        const demo = await createDemoUsers(store, config.domains[0] as string);
        const sessions = createSessionsService({ bus, store, logger, metrics, config });
        const responder = createResponder({
          bus,
          store,
          logger,
          metrics,
          config: { domains: config.domains, vcardMaxBytes: config.vcardMaxBytes },
        });
        const edge = createEdge({ config, bus, users: store.users, logger, metrics });
        return {
          async start() {
            await sessions.start();
            await responder.start();
            const { port } = await edge.start();
            context.stdout.write(
              loginInstructions({ demo, port, host: config.host, config, embeddedBus, memoryStore }),
            );
          },
          async stop() {
            await edge.stop();
            await responder.stop();
            await sessions.stop();
          },
          checks: { accepting: () => edge.isReady(), sessions: () => sessions.isReady() },
        };
      },
    );
  },
};
