import { describeVariables, parsers, readConfig } from '@onlinetime/config';
import { OnlinetimeError } from '@onlinetime/errors';
import { TOPICS } from '@onlinetime/events';
import { DEFAULT_ITERATIONS } from '@onlinetime/scram';
import { openEjabberdSource } from '@onlinetime/store';

import { parseArgs } from '../args.js';
import { EXIT, type Command, type CommandContext } from '../command.js';
import {
  CLI_LOG_LEVEL,
  KAFKA_BROKERS_REQUIRED,
  MYSQL_URL_REQUIRED,
  cliLogger,
  openBus,
  openMigratedStore,
} from '../ops/environment.js';
import { importEjabberd } from '../ops/import-ejabberd-run.js';
import { printImportReport } from '../ops/import-report.js';
import { normaliseDomain } from '../ops/jid.js';
import { fail, withInputErrors } from '../ops/output.js';

const VARIABLES = {
  mysqlUrl: MYSQL_URL_REQUIRED,
  kafkaBrokers: KAFKA_BROKERS_REQUIRED,
  logLevel: CLI_LOG_LEVEL,
};

const HELP = `usage: onlinetime import ejabberd --from MYSQL_URL --domain DOMAIN [--overwrite] [--json]

Copies an ejabberd deployment's data (read-only access to its MySQL database, --from) into ours
(MYSQL_URL), for the users of DOMAIN (JID = username@DOMAIN):
  users               plaintext passwords: SCRAM-SHA-1 and SCRAM-SHA-256 keys derived (both work);
                      SCRAM rows (ejabberd's base64 StoredKey/ServerKey/salt): copied for the hashes we
                      speak. A user with SCRAM-SHA-1 keys only has no SCRAM-SHA-256 keys (they cannot be
                      made without the password): that slot holds a one-byte key no password matches, so
                      such users log in with SCRAM-SHA-1 and PLAIN (checked against the SHA-1 keys), not
                      SCRAM-SHA-256, until their password is set again (\`onlinetime user passwd\`).
                      Likewise a SCRAM-SHA-256-only user has no SCRAM-SHA-1 keys.
                      SCRAM-SHA-512-only users cannot be imported. Rows of the multi-host schema
                      (server_host) are taken for DOMAIN only; the multi-hash schema (type) is understood.
  vcard               vCard XML text, for users that exist here; a stored YB_ONLINETIME is removed.
  youbao_onlinetime   each user's minutes become ONE balance.opened {jid, ms: minutes*60000,
                      origin: ejabberd} event on ${TOPICS.sessions} (id import:ejabberd:<jid>), so the log
                      stays the whole truth: the sessions worker adds it to the total, a replay too.
Re-running is safe: users and vCards already present here are kept as they are (--overwrite replaces
them), and a balance is applied at most once per user (one already applied is not published again).
Every row that is not imported is listed with the reason.

options:
  --from MYSQL_URL   the ejabberd database, mysql://user:password@host:port/database
  --domain DOMAIN    the XMPP domain of those users
  --overwrite        replace credentials and vCards of users already present
  --iterations N     PBKDF2 iterations for keys derived from plaintext (default ${DEFAULT_ITERATIONS})
  --json             print the report as one JSON object
  --topic NAME       where balances go (default ${TOPICS.sessions}; for staging copies and tests)

environment:
${describeVariables(VARIABLES)}

exit status: 0 every row imported (or already present), 1 some rows not imported or a failure,
2 usage or configuration error`;

export const importCommand: Command = {
  name: 'import',
  summary: 'import users, vCards and online minutes from ejabberd (import ejabberd)',
  help: () => HELP,
  run: (context) => withInputErrors(context, 'import', () => runImport(context)),
};

async function runImport(context: CommandContext): Promise<number> {
  const args = parseArgs(context.argv, {
    values: ['from', 'domain', 'iterations', 'topic'],
    flags: ['overwrite', 'json'],
  });
  const [source, ...extra] = args.positionals;
  if (source !== 'ejabberd')
    throw new OnlinetimeError(
      'USAGE',
      source === undefined ? 'missing source (ejabberd)' : `unknown source "${source}"`,
    );
  if (extra.length > 0) throw new OnlinetimeError('USAGE', `unexpected argument "${extra[0]}"`);
  const from = args.options.get('from');
  const domainArg = args.options.get('domain');
  if (typeof from !== 'string') throw new OnlinetimeError('USAGE', '--from MYSQL_URL is required');
  if (typeof domainArg !== 'string') throw new OnlinetimeError('USAGE', '--domain DOMAIN is required');
  try {
    parsers.mysqlUrl(from);
  } catch (err) {
    throw new OnlinetimeError('USAGE', `--from: ${(err as Error).message}`);
  }
  const domain = normaliseDomain(domainArg);
  const rawIterations = args.options.get('iterations');
  if (
    rawIterations !== undefined &&
    (typeof rawIterations !== 'string' || !/^\d+$/.test(rawIterations) || Number(rawIterations) < 4096)
  ) {
    throw new OnlinetimeError('USAGE', '--iterations must be an integer of at least 4096');
  }
  const topic = args.options.get('topic');
  const config = readConfig(VARIABLES, context.env);
  const logger = cliLogger(context.env, 'import');
  const ejabberd = await openEjabberdSource(from);
  try {
    if (ejabberd.schema.users === null)
      return fail(context, 'import', 'the --from database has no ejabberd users table', EXIT.failure);
    const store = await openMigratedStore(config.mysqlUrl, logger);
    const bus = openBus(config.kafkaBrokers, 'import', logger);
    try {
      const report = await importEjabberd({
        source: ejabberd,
        store,
        bus,
        topic: typeof topic === 'string' ? topic : TOPICS.sessions,
        domain,
        overwrite: args.options.has('overwrite'),
        iterations: rawIterations === undefined ? DEFAULT_ITERATIONS : Number(rawIterations),
        pageSize: 500,
        onProgress: (phase, rows) => logger.debug({ phase, rows }, 'import page done'),
      });
      printImportReport(context, report, args.options.has('json'));
      return report.rejected.length > 0 ? EXIT.failure : EXIT.ok;
    } finally {
      await bus.stop();
      await store.close();
    }
  } finally {
    await ejabberd.close();
  }
}
