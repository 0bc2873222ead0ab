import { describeVariables, readConfig } from '@onlinetime/config';
import { OnlinetimeError } from '@onlinetime/errors';
import { TOPICS } from '@onlinetime/events';
import { migrate } from '@onlinetime/store';

import { parseArgs } from '../args.js';
import { EXIT, type Command, type CommandContext } from '../command.js';
import {
  CLI_LOG_LEVEL,
  KAFKA_BROKERS_REQUIRED,
  MYSQL_URL_REQUIRED,
  SESSIONS_GROUP,
  cliLogger,
  openBus,
} from '../ops/environment.js';
import { canCountMembers } from '../ops/group-members.js';
import { fail, printJson, say } from '../ops/output.js';
import { runRebuild } from '../ops/rebuild-run.js';

const VARIABLES = {
  kafkaBrokers: KAFKA_BROKERS_REQUIRED,
  mysqlUrl: MYSQL_URL_REQUIRED,
  groupId: SESSIONS_GROUP,
  logLevel: CLI_LOG_LEVEL,
};

const HELP = `usage: onlinetime rebuild [--force] [--json] [--topic NAME]

Recomputes online_time, open_sessions and session_log from ${TOPICS.sessions} (replayed from the
beginning with the sessions worker's accounting code) into fresh tables (<table>_new), sets the
sessions group's recorded offsets (consumer_offsets, group SESSIONS_GROUP_ID) to the end of the log it
replayed, and swaps all four tables in with ONE atomic RENAME TABLE; the old tables are then dropped.
users, vcards and edge_boots are not touched. A restarted worker continues exactly after the replayed
end (it skips every message below the recorded offsets).

STOP THE SESSIONS WORKERS FIRST. A worker writing while the rebuild runs would write into the old
tables, and its work would be lost with them. The rebuild checks what it can:
  - when the bus can tell (Kafka DescribeGroups), it refuses while group SESSIONS_GROUP_ID has members
    unless --force; when it cannot tell, --force is required to confirm the workers are stopped;
  - it reads the group's recorded offsets before and after replaying and swaps nothing if they moved.
Edges may keep publishing: events after the captured end are left for the worker when it restarts.
An interrupted rebuild leaves only <table>_new tables behind, which the next run drops.

options:
  --force        confirm the sessions workers are stopped (see above)
  --json         print the result as one JSON object
  --topic NAME   the sessions topic (default ${TOPICS.sessions}; for staging copies and tests)

environment:
${describeVariables(VARIABLES)}

exit status: 0 swapped, 1 refused (workers running) or failed (nothing swapped), 2 usage or configuration error`;

export const rebuildCommand: Command = {
  name: 'rebuild',
  summary: 'recompute the online-time tables from xmpp.sessions and swap them in atomically',
  help: () => HELP,
  run: rebuild,
};

async function rebuild(context: CommandContext): Promise<number> {
  const args = parseArgs(context.argv, { values: ['topic'], flags: ['force', 'json'] });
  if (args.positionals.length > 0)
    throw new OnlinetimeError('USAGE', `unexpected argument "${args.positionals[0]}"`);
  const topicOption = args.options.get('topic');
  const topic = typeof topicOption === 'string' ? topicOption : TOPICS.sessions;
  const force = args.options.has('force');
  const config = readConfig(VARIABLES, context.env);
  const logger = cliLogger(context.env, 'rebuild');
  const bus = openBus(config.kafkaBrokers, 'rebuild', logger);
  try {
    if (canCountMembers(bus)) {
      const members = await bus.activeMembers(config.groupId);
      if (members > 0 && !force) {
        return fail(
          context,
          'rebuild',
          `consumer group ${config.groupId} has ${members} active member(s): stop the sessions workers first (or --force)`,
          EXIT.failure,
        );
      }
    } else if (!force) {
      return fail(
        context,
        'rebuild',
        `cannot tell whether sessions workers (group ${config.groupId}) are running: stop them, then run again with --force`,
        EXIT.usage,
      );
    }
    await migrate({ url: config.mysqlUrl, logger });
    const result = await runRebuild({
      bus,
      mysqlUrl: config.mysqlUrl,
      topic,
      groupId: config.groupId,
      stderr: context.stderr,
    });
    if (result.kind === 'worker-active') {
      const show = (m: ReadonlyMap<number, string | null>): string =>
        [...m].map(([p, o]) => `${p}:${o ?? '-'}`).join(' ') || '(none)';
      if (args.options.has('json'))
        printJson(context, {
          status: 'worker-active',
          before: Object.fromEntries(result.before),
          after: Object.fromEntries(result.after),
        });
      return fail(
        context,
        'rebuild',
        `a sessions worker of group ${config.groupId} applied events during the rebuild (recorded offsets ${show(result.before)} -> ${show(result.after)}): nothing swapped; stop the workers and run again`,
        EXIT.failure,
      );
    }
    const r = result.replay;
    if (args.options.has('json')) {
      printJson(context, {
        status: 'swapped',
        watermarks: result.marks,
        events: r.applied,
        invalid: r.invalid,
        users: result.users,
        finishedSessions: result.finishedSessions,
        openSessions: result.openSessions,
        elapsedMs: result.elapsedMs,
      });
    } else {
      say(
        context,
        `replayed ${r.applied} events of ${topic} up to ${result.marks.map((m) => `${m.partition}:${m.high}`).join(' ')}${r.invalid > 0 ? ` (${r.invalid} invalid skipped)` : ''}`,
      );
      say(
        context,
        `rebuilt: ${result.users} users, ${result.finishedSessions} finished sessions, ${result.openSessions} open sessions`,
      );
      say(
        context,
        `swapped in: online_time, open_sessions, session_log, consumer_offsets (group ${config.groupId} at the replayed end)`,
      );
    }
    return EXIT.ok;
  } finally {
    await bus.stop();
  }
}
