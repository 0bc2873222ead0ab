import type { XmppClient } from './connection.js';
import type { ScenarioResult } from './report.js';
import { LatencyRecorder } from './stats.js';
import { bareJid, closeAll, ErrorCounts, loginAll, range1, type Target } from './target.js';

export type IqKind = 'vcard' | 'onlinetime' | 'last' | 'ping';
/** Whom the IQs are addressed to: no `to` (oneself), other bench users, both alternately, the server. */
export type IqAddressing = 'self' | 'others' | 'mix' | 'server';

export interface IqScenarioOptions {
  readonly kind: IqKind;
  readonly clients: number;
  /** IQs outstanding per connection (closed loop), or the cap when `rate` is set. */
  readonly outstanding: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly addressing: IqAddressing;
  /** Users 1 … targetUsers are the ones addressed as "others" (they have vCards). */
  readonly targetUsers: number;
  /** Total IQ/s to offer (open loop, spread over the connections); 0: as fast as replies allow. */
  readonly rate: number;
  readonly loginConcurrency: number;
}

const PAYLOAD: Record<IqKind, string> = {
  vcard: `<vCard xmlns='vcard-temp'/>`,
  onlinetime: `<query xmlns='youbao:xmpp:onlinetime'/>`,
  last: `<query xmlns='jabber:iq:last'/>`,
  ping: `<ping xmlns='urn:xmpp:ping'/>`,
};

const CONDITION = /<([a-z-]+)\s+xmlns=['"]urn:ietf:params:xml:ns:xmpp-stanzas['"]/;

/** IQ load: C logged-in clients keep K IQs outstanding (or offer a fixed rate) for D seconds. */
export async function runIqScenario(
  target: Target,
  label: string,
  o: IqScenarioOptions,
): Promise<ScenarioResult> {
  const errors = new ErrorCounts();
  const deadlineForLogin = Date.now() + Math.max(30_000, o.clients * 200);
  const clients = await loginAll(target, range1(o.clients), o.loginConcurrency, errors, deadlineForLogin);
  if (clients.length === 0)
    throw new Error(`${label}: no client could log in: ${JSON.stringify(errors.counts)}`);

  const latency = new LatencyRecorder();
  const extra = { emptyResults: 0, withOnlineTime: 0, timeouts: 0, lostConnections: 0 };
  const start = performance.now();
  const measureFrom = start + o.warmupSeconds * 1000;
  const end = measureFrom + o.seconds * 1000;
  let measured = 0;
  let sent = 0;
  let stopped = false;
  let counter = 0;

  const addressFor = (self: number): string => {
    counter += 1;
    const mode = o.addressing === 'mix' ? (counter % 2 === 0 ? 'self' : 'others') : o.addressing;
    if (mode === 'self') return '';
    if (mode === 'server') return ` to='${target.domain}'`;
    let other = 1 + Math.floor(Math.random() * o.targetUsers);
    if (other === self) other = (other % o.targetUsers) + 1;
    return ` to='${bareJid(target, other)}'`;
  };

  const send = (client: XmppClient, self: number): void => {
    const to = addressFor(self);
    const sentAt = performance.now();
    sent += 1;
    client.sendIq(
      (id) => `<iq type='get' id='${id}'${to}>${PAYLOAD[o.kind]}</iq>`,
      (type, text) => {
        const now = performance.now();
        if (sentAt >= measureFrom && sentAt < end) {
          measured += 1;
          latency.record(now - sentAt);
          if (type === 'error') errors.add(`error:${CONDITION.exec(text)?.[1] ?? 'unknown'}`);
          else if (o.kind === 'vcard') {
            if (!text.includes('<vCard') || /<vCard[^>]*\/>/.test(text)) extra.emptyResults += 1;
            if (text.includes('<YB_ONLINETIME>')) extra.withOnlineTime += 1;
          }
        }
        if (o.rate === 0 && !stopped) send(client, self);
      },
    );
  };

  for (const { client } of clients) client.onClose(() => (extra.lostConnections += stopped ? 0 : 1));
  let ticker: NodeJS.Timeout | undefined;
  if (o.rate === 0) {
    for (const { client, index } of clients) for (let k = 0; k < o.outstanding; k += 1) send(client, index);
  } else {
    // Open loop: every millisecond or so, send what the schedule says is due, round robin.
    let next = 0;
    ticker = setInterval(() => {
      const due = Math.floor(((performance.now() - start) / 1000) * o.rate) - sent;
      for (let n = 0; n < due; n += 1) {
        for (let tries = 0; tries < clients.length; tries += 1) {
          const c = clients[(next += 1) % clients.length];
          if (c !== undefined && !c.client.isClosed && c.client.outstanding < o.outstanding) {
            send(c.client, c.index);
            break;
          }
        }
      }
    }, 1);
  }

  await new Promise((resolve) => setTimeout(resolve, Math.max(0, end - performance.now())));
  stopped = true;
  if (ticker !== undefined) clearInterval(ticker);
  // Let the IQs in flight come back (bounded), then count the rest as timeouts.
  const graceUntil = Date.now() + 10_000;
  while (
    Date.now() < graceUntil &&
    clients.some(({ client }) => client.outstanding > 0 && !client.isClosed)
  ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  for (const { client } of clients) extra.timeouts += client.abandonPending();
  if (extra.timeouts > 0) errors.add('timeout', extra.timeouts);
  await closeAll(clients);

  return {
    scenario: o.kind,
    label,
    params: {
      clients: clients.length,
      outstanding: o.outstanding,
      seconds: o.seconds,
      warmup: o.warmupSeconds,
      addressing: o.addressing,
      rate: o.rate,
    },
    ops: measured,
    seconds: o.seconds,
    rate: Math.round((measured / o.seconds) * 10) / 10,
    latency: latency.summary(),
    errors: errors.counts,
    extra: { ...extra, sent },
    at: new Date().toISOString(),
  };
}
