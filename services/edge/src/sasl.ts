import { setTimeout as sleep } from 'node:timers/promises';

import {
  SaslFailure,
  createScramServer,
  decodeBase64Strict,
  parsePlain,
  verifyPlain,
  fakeScramKeys,
  type ScramKeys,
  type ScramServer,
} from '@onlinetime/scram';
import { NS, bareJidOf, normalizeLocalpart, tryParseJid, xml, type Element } from '@onlinetime/stanza';
import type { UsersRepository } from '@onlinetime/store';

import type { AuthThrottle } from './auth-throttle.js';
import type { Connection } from './connection.js';
import type { EdgeMetrics } from './metrics.js';
import { offeredMechanisms, type NegotiationPolicy } from './negotiation.js';

export interface SaslDeps {
  readonly users: Pick<UsersRepository, 'getCredentials'>;
  readonly throttle: AuthThrottle;
  readonly policy: NegotiationPolicy;
  readonly metrics: EdgeMetrics;
  /** True while new logins must be refused (event buffer full). */
  readonly refuseLogins: () => boolean;
}

type ScramMechanism = 'SCRAM-SHA-1' | 'SCRAM-SHA-256';
interface Exchange {
  readonly mechanism: ScramMechanism;
  readonly server: ScramServer;
  started: boolean;
  account: string | null;
}

/** Failed attempts per connection before the stream is closed (RFC 6120 §6.4.5 suggests 2 to 5). */
const MAX_ATTEMPTS = 3;
const exchanges = new WeakMap<Connection, Exchange>();

/** RFC 6120 §6: `<auth/>`, `<response/>` and `<abort/>` before authentication. */
export async function handleSasl(deps: SaslDeps, connection: Connection, el: Element): Promise<void> {
  try {
    if (el.name === 'auth') await auth(deps, connection, el);
    else if (el.name === 'response') await respond(deps, connection, el);
    else if (el.name === 'abort') throw new SaslFailure('not-authorized', 'aborted');
    else throw new SaslFailure('malformed-request', `unexpected <${el.name}/>`);
  } catch (err) {
    if (!(err instanceof SaslFailure)) throw err;
    const account =
      typeof err.context.account === 'string' ? err.context.account : exchanges.get(connection)?.account;
    await fail(deps, connection, el.name === 'abort' ? 'aborted' : err.condition, err, account ?? null);
  }
}

async function auth(deps: SaslDeps, connection: Connection, el: Element): Promise<void> {
  exchanges.delete(connection);
  const mechanism = String(el.attrs.mechanism ?? '');
  if (!offeredMechanisms(connection, deps.policy).includes(mechanism)) {
    const condition = ['PLAIN', 'SCRAM-SHA-1', 'SCRAM-SHA-256'].includes(mechanism)
      ? 'encryption-required'
      : 'invalid-mechanism';
    await fail(deps, connection, condition, undefined, null);
    return;
  }
  if (deps.refuseLogins())
    throw new SaslFailure('temporary-auth-failure', 'the service is busy, try again later');
  refuseIfBlocked(deps, connection, null);
  const text = el.text();
  if (mechanism === 'PLAIN') {
    await plain(deps, connection, decodeBase64Strict(text));
    return;
  }
  const exchange: Exchange = {
    mechanism: mechanism as ScramMechanism,
    started: false,
    account: null,
    server: createScramServer({
      mechanism: mechanism as ScramMechanism,
      domain: domainOf(connection),
      lookup: async (username) => {
        const account = accountOf(connection, username);
        exchange.account = account;
        if (account === null) return null;
        const credentials = await deps.users.getCredentials(account);
        return credentials?.scram[mechanism as ScramMechanism] ?? null;
      },
    }),
  };
  exchanges.set(connection, exchange);
  if (text === '') connection.send(xml('challenge', { xmlns: NS.sasl }));
  else await scramFirst(deps, connection, exchange, decodeBase64Strict(text));
}

async function respond(deps: SaslDeps, connection: Connection, el: Element): Promise<void> {
  const exchange = exchanges.get(connection);
  if (exchange === undefined) throw new SaslFailure('malformed-request', 'no authentication in progress');
  const data = decodeBase64Strict(el.text());
  if (!exchange.started) {
    await scramFirst(deps, connection, exchange, data);
    return;
  }
  const { serverFinal } = await exchange.server.finish(data);
  exchanges.delete(connection);
  succeed(deps, connection, exchange.account as string, exchange.mechanism, serverFinal);
}

async function scramFirst(
  deps: SaslDeps,
  connection: Connection,
  exchange: Exchange,
  data: Buffer,
): Promise<void> {
  exchange.started = true;
  const serverFirst = await exchange.server.start(data);
  refuseIfBlocked(deps, connection, exchange.account);
  connection.sendText('challenge', saslDataText('challenge', serverFirst));
}

const KEY_BYTES = { 'SCRAM-SHA-1': 20, 'SCRAM-SHA-256': 32 } as const;

function usableKeys(
  credentials: Awaited<ReturnType<SaslDeps['users']['getCredentials']>>,
  mechanism: ScramMechanism,
): ScramKeys | undefined {
  const keys = credentials?.scram[mechanism];
  return keys !== undefined && keys.storedKey.length === KEY_BYTES[mechanism] ? keys : undefined;
}

async function plain(deps: SaslDeps, connection: Connection, data: Buffer): Promise<void> {
  const { authzid, authcid, password } = parsePlain(data);
  const account = accountOf(connection, authcid);
  refuseIfBlocked(deps, connection, account);
  const credentials = account === null ? null : await deps.users.getCredentials(account);
  // An unknown account costs the same key derivation as a wrong password: the answer's timing does
  // not tell which accounts exist.
  // Accounts imported with SCRAM-SHA-1 keys only (ejabberd) have unusable SHA-256 keys: verify with SHA-1.
  const mechanism = usableKeys(credentials, 'SCRAM-SHA-256') ? 'SCRAM-SHA-256' : 'SCRAM-SHA-1';
  const keys = usableKeys(credentials, mechanism) ?? fakeScramKeys('SCRAM-SHA-256', authcid);
  if (account === null || credentials === null || !verifyPlain(keys, mechanism, password)) {
    throw new SaslFailure('not-authorized', 'authentication failed', { context: { account } });
  }
  const authz = authzid === '' ? null : tryParseJid(authzid);
  if (authzid !== '' && (authz === null || authz.resource !== null || bareJidOf(authz) !== account)) {
    throw new SaslFailure('invalid-authzid', 'the authorization identity must be your own');
  }
  succeed(deps, connection, account, 'PLAIN', undefined);
}

function succeed(
  deps: SaslDeps,
  connection: Connection,
  account: string,
  mechanism: string,
  final?: Buffer,
): void {
  const local = account.slice(0, account.indexOf('@'));
  connection.user = { local, bare: account };
  deps.throttle.recordSuccess(`account:${account}`);
  deps.metrics.logins.inc({ mechanism });
  connection.logger.info({ ip: connection.ip, account, mechanism }, 'authenticated');
  connection.sendText('success', saslDataText('success', final));
  connection.restartStream(true);
}

/**
 * `<challenge/>` or `<success/>` carrying base64 data, as the text ltx would serialise: base64 needs
 * no escaping, so building and serialising an element per login step is skipped.
 */
export function saslDataText(name: 'challenge' | 'success', data: Buffer | undefined): string {
  return data === undefined || data.length === 0
    ? `<${name} xmlns="${NS.sasl}"/>`
    : `<${name} xmlns="${NS.sasl}">${data.toString('base64')}</${name}>`;
}

async function fail(
  deps: SaslDeps,
  connection: Connection,
  condition: string,
  err: SaslFailure | undefined,
  account: string | null,
): Promise<void> {
  exchanges.delete(connection);
  deps.metrics.authFailures.inc({ condition });
  connection.logger.warn(
    { ip: connection.ip, account, condition, reason: err?.context.reason ?? err?.message },
    'authentication failed',
  );
  if (condition !== 'temporary-auth-failure' && condition !== 'aborted') {
    const keys = [`ip:${connection.ip}`, ...(account === null ? [] : [`account:${account}`])];
    const delay = deps.throttle.recordFailure(keys);
    if (delay > 0) await sleep(delay, undefined, { ref: false });
  }
  const failure = xml('failure', { xmlns: NS.sasl }, xml(condition));
  if (err !== undefined && condition === 'temporary-auth-failure')
    failure.append(xml('text', {}, err.message));
  connection.send(failure);
  if (condition !== 'aborted' && ++connection.authFailures >= MAX_ATTEMPTS) {
    connection.streamError('policy-violation', 'too many failed authentication attempts', 'error');
  }
}

function refuseIfBlocked(deps: SaslDeps, connection: Connection, account: string | null): void {
  const keys = [`ip:${connection.ip}`, ...(account === null ? [] : [`account:${account}`])];
  const until = deps.throttle.blockedUntil(keys);
  if (until === null) return;
  connection.logger.warn(
    { ip: connection.ip, account, until: new Date(until).toISOString() },
    'login refused: too many failed attempts',
  );
  throw new SaslFailure('temporary-auth-failure', 'too many failed attempts, try again later', {
    context: { account },
  });
}

function domainOf(connection: Connection): string {
  return connection.domain ?? 'localhost';
}

/** The bare JID for a SASL username on this stream's domain, or null when it cannot be a localpart. */
function accountOf(connection: Connection, username: string): string | null {
  try {
    return `${normalizeLocalpart(username)}@${domainOf(connection)}`;
  } catch {
    return null;
  }
}
