import { minutesOnline, onlineMs } from '@onlinetime/accounting';
import { describeVariables, readConfig } from '@onlinetime/config';
import { OnlinetimeError } from '@onlinetime/errors';

import { parseArgs } from '../args.js';
import { EXIT, type Command, type CommandContext } from '../command.js';
import { CLI_LOG_LEVEL, MYSQL_URL_REQUIRED, cliLogger, openStore } from '../ops/environment.js';
import { normaliseBareJid } from '../ops/jid.js';
import { fail, printJson, say, withInputErrors } from '../ops/output.js';
import { humanMs, isoOrDash } from '../ops/time.js';

const VARIABLES = { mysqlUrl: MYSQL_URL_REQUIRED, logLevel: CLI_LOG_LEVEL };

const HELP = `usage: onlinetime online-time show USER@DOMAIN [--sessions N] [--json]

Prints what the user's clients are told (whole minutes) and what it is made of, from the live tables:
  minutes          floor((total + current stretch) / 60000), as the online-time query answers
  total            milliseconds of closed online stretches (opening balance included)
  current stretch  time since the current online stretch began (when online)
  balance          opening balance imported from a previous system, if any
  last login / last logout
A user with neither an account nor any online time is reported as unknown (exit 1).

options:
  --sessions N   also list the user's N most recent finished sessions (session_log)
  --json         print one JSON object

environment:
${describeVariables(VARIABLES)}

exit status: 0 shown, 1 unknown user or database error, 2 usage or configuration error`;

export const onlineTimeCommand: Command = {
  name: 'online-time',
  summary: "show a user's online minutes, total, current stretch, last login/logout",
  help: () => HELP,
  run: (context) => withInputErrors(context, 'online-time', () => show(context)),
};

async function show(context: CommandContext): Promise<number> {
  const args = parseArgs(context.argv, { values: ['sessions'], flags: ['json'] });
  const [action, target, ...extra] = args.positionals;
  if (action !== 'show')
    throw new OnlinetimeError(
      'USAGE',
      action === undefined ? 'missing action (show)' : `unknown action "${action}"`,
    );
  if (target === undefined) throw new OnlinetimeError('USAGE', 'online-time show needs USER@DOMAIN');
  if (extra.length > 0) throw new OnlinetimeError('USAGE', `unexpected argument "${extra[0]}"`);
  const rawSessions = args.options.get('sessions');
  if (
    rawSessions !== undefined &&
    (typeof rawSessions !== 'string' || !/^\d+$/.test(rawSessions) || Number(rawSessions) > 10_000)
  ) {
    throw new OnlinetimeError('USAGE', '--sessions must be an integer from 0 to 10000');
  }
  const sessionCount = rawSessions === undefined ? 0 : Number(rawSessions);
  const jid = normaliseBareJid(target);
  const config = readConfig(VARIABLES, context.env);
  const store = openStore(config.mysqlUrl, cliLogger(context.env, 'online-time'));
  try {
    const totals = (await store.onlineTime.getMany([jid])).get(jid) ?? null;
    const exists = (await store.users.existing([jid])).has(jid);
    if (totals === null && !exists)
      return fail(context, 'online-time', `unknown user ${jid} (no account, no online time)`, EXIT.failure);
    const sessions = sessionCount > 0 ? await store.accounting.sessionLog(jid, sessionCount) : [];
    const now = Date.now();
    const t = totals ?? { totalMs: 0, onlineSince: null, lastLogin: null, lastLogout: null, balanceMs: null };
    const report = {
      jid,
      account: exists,
      at: now,
      minutes: minutesOnline(t, now),
      onlineMs: onlineMs(t, now),
      totalMs: t.totalMs,
      online: t.onlineSince !== null,
      onlineSince: t.onlineSince,
      currentStretchMs: t.onlineSince === null ? null : Math.max(0, now - t.onlineSince),
      balanceMs: t.balanceMs,
      lastLogin: t.lastLogin,
      lastLogout: t.lastLogout,
      sessions,
    };
    if (args.options.has('json')) {
      printJson(context, report);
      return EXIT.ok;
    }
    say(context, `user:            ${jid}${exists ? '' : ' (no account)'}`);
    say(context, `minutes:         ${report.minutes}`);
    say(context, `total:           ${humanMs(report.totalMs)} (${report.totalMs} ms of closed stretches)`);
    say(
      context,
      `current stretch: ${report.currentStretchMs === null ? 'offline' : `${humanMs(report.currentStretchMs)} (online since ${isoOrDash(report.onlineSince)})`}`,
    );
    say(
      context,
      `balance:         ${report.balanceMs === null ? '-' : `${humanMs(report.balanceMs)} (${report.balanceMs} ms imported)`}`,
    );
    say(context, `last login:      ${isoOrDash(report.lastLogin)}`);
    say(context, `last logout:     ${isoOrDash(report.lastLogout)}`);
    for (const s of sessions) {
      const length = s.startedAt === null ? 'never started here' : humanMs(s.stoppedAt - s.startedAt);
      say(
        context,
        `  ${isoOrDash(s.startedAt)} .. ${isoOrDash(s.stoppedAt)}  ${length}  ${s.resource || '-'}  ${s.reason}  ${s.sessionId}`,
      );
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
