import { describeVariables, readConfig } from '@onlinetime/config';
import { SESSIONS_VARIABLES, createSessionsService } from '@onlinetime/sessions';

import type { Command } from '../command.js';
import { runService } from '../runtime/run-service.js';

export const sessionsCommand: Command = {
  name: 'sessions',
  summary: 'run the sessions worker (exactly-once online-time accounting) and the reaper',
  help: () =>
    [
      'usage: onlinetime sessions',
      '',
      'Consumes xmpp.sessions in the consumer group onlinetime-sessions and writes per-user online time to',
      'MySQL exactly once; the reaper (active in one instance) closes the sessions of dead edges.',
      'Run as many as there are partitions to share; SIGTERM drains and exits 0.',
      '',
      'environment:',
      describeVariables(SESSIONS_VARIABLES),
    ].join('\n'),
  async run(context) {
    const config = readConfig(SESSIONS_VARIABLES, context.env);
    return runService(
      context,
      { name: 'sessions', ...config, requireRealInfrastructure: true },
      ({ bus, store, logger, metrics }) => {
        const service = createSessionsService({ bus, store, logger, metrics, config });
        return {
          start: () => service.start(),
          stop: () => service.stop(),
          checks: { assigned: () => service.isReady() },
        };
      },
    );
  },
};
