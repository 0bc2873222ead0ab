import { COMMON_VARIABLES, describeVariables, readConfig } from '@onlinetime/config';
import { ConfigError } from '@onlinetime/errors';
import { createLogger } from '@onlinetime/logging';
import { migrate } from '@onlinetime/store';

import { EXIT, type Command } from '../command.js';
import { topicsCommand } from './topics.js';

const VARIABLES = {
  mysqlUrl: { ...COMMON_VARIABLES.mysqlUrl, required: true as const },
  logLevel: COMMON_VARIABLES.logLevel,
} as const;

/** What docker-compose's one-shot job runs: schema migrations, then `topics ensure`. Idempotent. */
export const setupCommand: Command = {
  name: 'setup',
  summary: 'apply database migrations, then create the Kafka topics (idempotent)',
  help: () =>
    [
      'usage: onlinetime setup',
      '',
      'Runs the pending schema migrations against MYSQL_URL, then `onlinetime topics ensure`.',
      '',
      'environment:',
      describeVariables(VARIABLES),
      '(and those of `onlinetime topics --help`: KAFKA_BROKERS, partitions, retention)',
    ].join('\n'),
  async run(context) {
    const config = readConfig(VARIABLES, context.env);
    if (context.env['KAFKA_BROKERS'] === undefined) {
      throw new ConfigError([{ variable: 'KAFKA_BROKERS', message: 'is required by setup' }]);
    }
    const result = await migrate({
      url: config.mysqlUrl,
      logger: createLogger({ name: 'setup', level: config.logLevel }),
    });
    context.stdout.write(`migrations: ${JSON.stringify(result)}\n`);
    const code = await topicsCommand.run({ ...context, argv: ['ensure'] });
    return code === EXIT.ok ? EXIT.ok : code;
  },
};
