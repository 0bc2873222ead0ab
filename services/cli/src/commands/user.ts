import { describeVariables, readConfig } from '@onlinetime/config';
import { OnlinetimeError, isOnlinetimeError } from '@onlinetime/errors';
import { DEFAULT_ITERATIONS, deriveScramKeys } from '@onlinetime/scram';
import type { Store, UserCredentials } from '@onlinetime/store';

import { parseArgs } from '../args.js';
import { EXIT, type Command, type CommandContext } from '../command.js';
import { CLI_LOG_LEVEL, MYSQL_URL_REQUIRED, cliLogger, openMigratedStore } from '../ops/environment.js';
import { normaliseBareJid, normaliseDomain } from '../ops/jid.js';
import { fail, printJson, say, withInputErrors } from '../ops/output.js';
import { readPassword } from '../ops/read-password.js';

const VARIABLES = { mysqlUrl: MYSQL_URL_REQUIRED, logLevel: CLI_LOG_LEVEL };
const ACTIONS = ['add', 'passwd', 'del', 'list'] as const;
type Action = (typeof ACTIONS)[number];

const HELP = `usage: onlinetime user add USER@DOMAIN        create a user
       onlinetime user passwd USER@DOMAIN     set a new password
       onlinetime user del USER@DOMAIN        delete a user's account (credentials)
       onlinetime user list [DOMAIN] [--json] list users, one bare JID per line

The password is typed at a prompt without echo (twice) when stdin is a terminal, otherwise it is the
first line of stdin (e.g. \`printf '%s\\n' "$PW" | onlinetime user add alice@example.com\`); it is
never taken from the command line. It is prepared with SASLprep (RFC 4013) and only SCRAM-SHA-1 and
SCRAM-SHA-256 keys (RFC 5802, RFC 7677) are stored, each with its own random salt.
The JID is normalised: user part and domain lower-cased (NFKC), then checked (RFC 7622 characters).
Pending schema migrations are applied first. \`user del\` removes the credentials only: the online
time stays in the log and the tables (the log is the record of what happened).

options:
  --iterations N   PBKDF2 iterations of new keys (default ${DEFAULT_ITERATIONS}, at least 4096)
  --json           (list) print a JSON array

environment:
${describeVariables(VARIABLES)}

exit status: 0 done, 1 failed (user exists / no such user / database error), 2 usage or configuration error`;

function iterationsOf(raw: string | true | undefined): number {
  if (raw === undefined) return DEFAULT_ITERATIONS;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || Number(raw) < 4096 || Number(raw) > 10_000_000) {
    throw new OnlinetimeError('USAGE', '--iterations must be an integer from 4096 to 10000000');
  }
  return Number(raw);
}

function credentialsFor(jid: string, password: string, iterations: number): UserCredentials {
  return {
    jid,
    scram: {
      'SCRAM-SHA-1': deriveScramKeys('SCRAM-SHA-1', password, { iterations }),
      'SCRAM-SHA-256': deriveScramKeys('SCRAM-SHA-256', password, { iterations }),
    },
  };
}

async function setPassword(
  context: CommandContext,
  store: Store,
  action: 'add' | 'passwd',
  jid: string,
  iterations: number,
): Promise<number> {
  const exists = (await store.users.getCredentials(jid)) !== null;
  if (action === 'add' && exists) return fail(context, 'user', `user ${jid} already exists`, EXIT.failure);
  if (action === 'passwd' && !exists) return fail(context, 'user', `no such user ${jid}`, EXIT.failure);
  const password = await readPassword(context.stdin, context.stderr);
  let credentials: UserCredentials;
  try {
    credentials = credentialsFor(jid, password, iterations);
  } catch (err) {
    if (isOnlinetimeError(err) && err.code === 'PASSWORD_INVALID')
      return fail(context, 'user', err.message, EXIT.usage);
    throw err;
  }
  if (action === 'add') {
    try {
      await store.users.add(credentials);
    } catch (err) {
      if (isOnlinetimeError(err) && err.code === 'USER_EXISTS')
        return fail(context, 'user', err.message, EXIT.failure);
      throw err;
    }
    say(context, `added ${jid}`);
    return EXIT.ok;
  }
  if (!(await store.users.setCredentials(credentials)))
    return fail(context, 'user', `no such user ${jid}`, EXIT.failure);
  say(context, `password of ${jid} changed`);
  return EXIT.ok;
}

export const userCommand: Command = {
  name: 'user',
  summary: 'add, re-password, delete or list users (user add|passwd|del|list)',
  help: () => HELP,
  run: (context) => withInputErrors(context, 'user', () => runUser(context)),
};

async function runUser(context: CommandContext): Promise<number> {
  const args = parseArgs(context.argv, { values: ['iterations'], flags: ['json'] });
  const [action, target, ...extra] = args.positionals;
  if (action === undefined || !(ACTIONS as readonly string[]).includes(action)) {
    throw new OnlinetimeError(
      'USAGE',
      action === undefined ? 'missing action' : `unknown action "${action}"`,
    );
  }
  if (extra.length > 0) throw new OnlinetimeError('USAGE', `unexpected argument "${extra[0]}"`);
  const act = action as Action;
  if (act !== 'list' && target === undefined)
    throw new OnlinetimeError('USAGE', `user ${act} needs USER@DOMAIN`);
  if (act !== 'list' && args.options.has('json'))
    throw new OnlinetimeError('USAGE', '--json applies to user list');
  if (act !== 'add' && act !== 'passwd' && args.options.has('iterations')) {
    throw new OnlinetimeError('USAGE', '--iterations applies to user add and user passwd');
  }
  const jid = act === 'list' || target === undefined ? undefined : normaliseBareJid(target);
  const domain =
    act === 'list' && target !== undefined
      ? normaliseDomain(target.includes('@') ? target.slice(target.indexOf('@') + 1) : target)
      : undefined;
  const iterations = iterationsOf(args.options.get('iterations'));
  const config = readConfig(VARIABLES, context.env);
  const logger = cliLogger(context.env, 'user');
  const store = await openMigratedStore(config.mysqlUrl, logger);
  try {
    switch (act) {
      case 'add':
      case 'passwd':
        return await setPassword(context, store, act, jid as string, iterations);
      case 'del':
        if (!(await store.users.remove(jid as string)))
          return fail(context, 'user', `no such user ${jid}`, EXIT.failure);
        say(context, `deleted ${jid}`);
        return EXIT.ok;
      case 'list': {
        const users = await store.users.list(domain);
        if (args.options.has('json')) printJson(context, users);
        else for (const user of users) say(context, user);
        return EXIT.ok;
      }
    }
  } finally {
    await store.close();
  }
}
