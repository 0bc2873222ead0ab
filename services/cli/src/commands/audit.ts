import { describeVariables, parsers, readConfig, type VariableSpec } from '@onlinetime/config';
import { OnlinetimeError } from '@onlinetime/errors';
import { TOPICS } from '@onlinetime/events';

import { parseArgs } from '../args.js';
import { EXIT, type Command, type CommandContext } from '../command.js';
import { printAudit } from '../ops/audit-report.js';
import { runAudit } from '../ops/audit-run.js';
import {
  CLI_LOG_LEVEL,
  KAFKA_BROKERS_REQUIRED,
  MYSQL_URL_REQUIRED,
  SESSIONS_GROUP,
  cliLogger,
  openBus,
  openStore,
} from '../ops/environment.js';
import { withInputErrors } from '../ops/output.js';
import { parseTimeArg } from '../ops/time.js';

const AUDIT_THREADS = {
  name: 'AUDIT_THREADS',
  description:
    'replay threads, each reading a share of the partitions with its own Kafka reader (0 = one per CPU)',
  default: '0',
  parse: parsers.integer(0, 64),
} satisfies VariableSpec<number>;

const VARIABLES = {
  kafkaBrokers: KAFKA_BROKERS_REQUIRED,
  mysqlUrl: MYSQL_URL_REQUIRED,
  groupId: SESSIONS_GROUP,
  logLevel: CLI_LOG_LEVEL,
  threads: AUDIT_THREADS,
};

const HELP = `usage: onlinetime audit [--from earliest|TIME] [--to TIME] [--json] [options]

Replays ${TOPICS.sessions} from the beginning with a throwaway reader (no effect on any consumer group),
recomputes every user's total with the accounting code the sessions worker runs, and compares it with
the live online_time table: total_ms, online_since and balance_ms of every user on either side (a user
on one side only is compared with an empty state). Prints users checked and every user differing with
both values; exits 1 on any difference.

What is compared: the log up to the high watermarks read when the audit starts, against the live
tables, which must hold exactly those events. So before replaying, the audit checks the offsets the
sessions worker recorded in MySQL (consumer_offsets of SESSIONS_GROUP_ID): if the worker is behind
it waits up to --wait seconds, then refuses (exit 1) unless --allow-lag. While events keep flowing the
worker moves past the audited end during the replay; the audit then warns that differences of users
active meanwhile may be false. For an exact answer audit a quiet system (or stop the edges first).

--from/--to make a window report instead: only events whose time (envelope \`at\`) lies in
[from, to) are replayed, and each user's recomputed online time over those events is printed
(a stretch still open at the end counts up to --to, or now). Sessions that began before --from are
not in the window (their stop changes nothing). No comparison is made.
TIME is epoch milliseconds or ISO 8601 (2024-05-01, 2024-05-01T12:00:00Z; no zone = UTC).

Progress goes to stderr: a bar (events read / total, rate, ETA) on a terminal, a line every 5 s
otherwise. Memory grows with the number of users and sessions, never with the length of the log.

options:
  --from earliest|TIME   window start (earliest = the beginning: a full audit)
  --to TIME              window end (exclusive)
  --json                 print the result as one JSON object on stdout
  --show N               list at most N differing users (default 100; all are counted)
  --wait SECONDS         how long to wait for the worker to catch up (default 30)
  --allow-lag            audit even if the worker is behind (differences then include its lag)
  --topic NAME           the sessions topic (default ${TOPICS.sessions}; for staging copies and tests)

environment:
${describeVariables(VARIABLES)}

exit status: 0 no difference (or window report), 1 differences, worker behind, or a failure, 2 usage or configuration error`;

function count(option: string, raw: string | true | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || Number(raw) > max) {
    throw new OnlinetimeError('USAGE', `--${option} must be an integer from 0 to ${max}`);
  }
  return Number(raw);
}

export const auditCommand: Command = {
  name: 'audit',
  summary: 'replay xmpp.sessions and compare every total with the live tables',
  help: () => HELP,
  run: (context) => withInputErrors(context, 'audit', () => audit(context)),
};

async function audit(context: CommandContext): Promise<number> {
  const args = parseArgs(context.argv, {
    values: ['from', 'to', 'show', 'wait', 'topic'],
    flags: ['json', 'allow-lag'],
  });
  if (args.positionals.length > 0)
    throw new OnlinetimeError('USAGE', `unexpected argument "${args.positionals[0]}"`);
  const rawFrom = args.options.get('from');
  const rawTo = args.options.get('to');
  const from = typeof rawFrom === 'string' ? parseTimeArg('from', rawFrom) : null;
  const to = typeof rawTo === 'string' ? parseTimeArg('to', rawTo) : null;
  if (from !== null && to !== null && from >= to)
    throw new OnlinetimeError('USAGE', '--from must be before --to');
  const topic = args.options.get('topic');
  const config = readConfig(VARIABLES, context.env);
  const logger = cliLogger(context.env, 'audit');
  const bus = openBus(config.kafkaBrokers, 'audit', logger);
  try {
    const store = openStore(config.mysqlUrl, logger);
    try {
      const result = await runAudit({
        bus,
        store,
        mysqlUrl: config.mysqlUrl,
        topic: typeof topic === 'string' ? topic : TOPICS.sessions,
        groupId: config.groupId,
        window: from === null && to === null ? null : { from, to },
        waitMs: count('wait', args.options.get('wait'), 30, 86_400) * 1000,
        allowLag: args.options.has('allow-lag'),
        keep: count('show', args.options.get('show'), 100, 10_000_000),
        stderr: context.stderr,
        threads: { count: config.threads, brokers: config.kafkaBrokers, logLevel: config.logLevel },
      });
      printAudit(context, result, args.options.has('json'));
      if (result.kind === 'window') return EXIT.ok;
      if (result.kind === 'refused') return EXIT.failure;
      return result.comparison.differing > 0 ? EXIT.failure : EXIT.ok;
    } finally {
      await store.close();
    }
  } finally {
    await bus.stop();
  }
}
