import { COMMON_VARIABLES, describeVariables, readConfig } from '@onlinetime/config';
import { EDGE_VARIABLES, createEdge } from '@onlinetime/edge';

import type { Command } from '../command.js';
import { runService } from '../runtime/run-service.js';

const VARIABLES = { ...EDGE_VARIABLES, mysqlUrl: COMMON_VARIABLES.mysqlUrl } as const;

export const edgeCommand: Command = {
  name: 'edge',
  summary: 'run an XMPP edge (client-to-server endpoint publishing to Kafka)',
  help: () =>
    [
      'usage: onlinetime edge',
      '',
      'Serves XMPP clients (RFC 6120: STARTTLS, SASL SCRAM-SHA-256/SCRAM-SHA-1/PLAIN, resource binding),',
      'authenticates against MySQL (read-only), publishes session and IQ events to Kafka and writes the',
      "responder's replies back. SIGTERM closes every stream with <system-shutdown/>, publishes every",
      'session.stopped, flushes and exits 0.',
      '',
      'environment (KAFKA_BROKERS and MYSQL_URL are required):',
      describeVariables(VARIABLES),
    ].join('\n'),
  async run(context) {
    const config = readConfig(VARIABLES, context.env);
    return runService(
      context,
      { name: 'edge', ...config, requireRealInfrastructure: true },
      ({ bus, store, logger, metrics }) => {
        const edge = createEdge({ config, bus, users: store.users, logger, metrics });
        return {
          async start() {
            const { port } = await edge.start();
            logger.info({ port, edgeId: edge.edgeId, domains: config.domains }, 'edge listening');
          },
          stop: () => edge.stop(),
          checks: { accepting: () => edge.isReady() },
        };
      },
    );
  },
};
