import { describeVariables, readConfig } from '@onlinetime/config';
import { RESPONDER_VARIABLES, createResponder } from '@onlinetime/responder';

import type { Command } from '../command.js';
import { runService } from '../runtime/run-service.js';

export const responderCommand: Command = {
  name: 'responder',
  summary: 'run the responder (online-time query, vCard, last activity)',
  help: () =>
    [
      'usage: onlinetime responder',
      '',
      'Consumes xmpp.iq in the consumer group onlinetime-responder, answers from MySQL and publishes each',
      "reply to the requesting edge's topic xmpp.edge.<edgeId>. SIGTERM drains and exits 0.",
      '',
      'environment (KAFKA_BROKERS and MYSQL_URL are required):',
      describeVariables(RESPONDER_VARIABLES),
    ].join('\n'),
  async run(context) {
    const config = readConfig(RESPONDER_VARIABLES, context.env);
    return runService(
      context,
      { name: 'responder', ...config, requireRealInfrastructure: true },
      ({ bus, store, logger, metrics }) => {
        let assigned = false;
        const responder = createResponder({
          bus,
          store,
          logger,
          metrics,
          config: { domains: config.xmppDomains, vcardMaxBytes: config.vcardMaxBytes },
        });
        return {
          async start() {
            await responder.start();
            // A stop before the first join rejects `ready`, and so does a crash before it (logged by
            // the bus); either way the responder is not ready, and it must not end the process.
            void responder.ready().then(
              () => {
                assigned = true;
              },
              () => undefined,
            );
          },
          stop: () => responder.stop(),
          checks: { assigned: () => assigned },
        };
      },
    );
  },
};
