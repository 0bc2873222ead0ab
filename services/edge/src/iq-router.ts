import { TOPICS, createEvent, encodeEvent, iqKey } from '@onlinetime/events';
import {
  bareJidOf,
  jidToString,
  stanzaErrorReply,
  tryParseJid,
  withRootAttributes,
  xml,
  type Element,
} from '@onlinetime/stanza';

import type { Connection } from './connection.js';
import type { EdgeContext } from './context.js';
import { decideIq, type IqTarget } from './iq-policy.js';

/** Per connection, the publish in flight: the next waits for it, so a client's IQs stay in order. */
const publishing = new WeakMap<Connection, Promise<void>>();

/**
 * An IQ from a bound client (its `from` already stamped): checks id, type, payload and `to`, then
 * answers it, rejects it, or publishes it to the responder with a pending entry and a timeout.
 * `text` is the IQ as received: what is published is that text with the checked attributes.
 */
export function routeIq(ctx: EdgeContext, connection: Connection, iq: Element, text: string): void {
  const type = iq.attrs.type as unknown;
  const id = iq.attrs.id as unknown;
  if (type === 'result' || type === 'error') return; // the edge sends no IQs to clients: nothing awaits these
  const reject = (condition: string, errorType: 'modify' | 'cancel' | 'wait', text?: string): void =>
    connection.send(stanzaErrorReply(iq, { condition, type: errorType, text }));
  if ((type !== 'get' && type !== 'set') || typeof id !== 'string' || id === '') {
    reject('bad-request', 'modify', 'an IQ needs an id and type get, set, result or error');
    return;
  }
  const payloads = iq.getChildElements();
  const payload = payloads[0];
  if (payload === undefined || payloads.length !== 1) {
    reject('bad-request', 'modify', 'an IQ get or set carries exactly one child element');
    return;
  }
  let target: IqTarget = { kind: 'account', own: true };
  let to: string | undefined;
  if (iq.attrs.to !== undefined) {
    const jid = tryParseJid(String(iq.attrs.to));
    if (jid === null) {
      delete iq.attrs.to;
      reject('jid-malformed', 'modify');
      return;
    }
    to = jidToString(jid);
    iq.attrs.to = to;
    if (!ctx.policy.domains.includes(jid.domain)) {
      reject('remote-server-not-found', 'cancel');
      return;
    }
    const own = bareJidOf(jid) === connection.user?.bare;
    target =
      jid.resource !== null
        ? { kind: 'resource' }
        : jid.local === null
          ? { kind: 'server' }
          : { kind: 'account', own };
  }
  const action = decideIq(type, payload, target);
  if (action.do === 'error')
    reject(action.condition, action.type as 'modify' | 'cancel' | 'wait', action.text);
  else if (action.do === 'result') {
    const attrs: Record<string, string> = { type: 'result', id, to: iq.attrs.from as string };
    if (to !== undefined) attrs.from = to;
    connection.send(action.payload === undefined ? xml('iq', attrs) : xml('iq', attrs, action.payload));
  } else publish(ctx, connection, iq, withRootAttributes(text, iq.attrs), id, type, to);
}

function publish(
  ctx: EdgeContext,
  connection: Connection,
  iq: Element,
  stanza: string,
  id: string,
  type: 'get' | 'set',
  to: string | undefined,
): void {
  const session = connection.session;
  if (session === null) throw new Error('publish before bind');
  const added = ctx.pending.add(session.id, id, to);
  if (added !== 'added') {
    const spec =
      added === 'duplicate'
        ? { condition: 'conflict', type: 'cancel' as const, text: 'an IQ with this id is still pending' }
        : { condition: 'resource-constraint', type: 'wait' as const, text: 'too many IQs pending' };
    connection.send(stanzaErrorReply(iq, spec));
    return;
  }
  const { edgeId } = ctx.identity;
  const payload = { edgeId, sessionId: session.id, from: session.jid, id, type, stanza };
  const event = createEvent('iq.request', to === undefined ? payload : { ...payload, to }, {
    source: edgeId,
  });
  const record = { key: iqKey(session.jid), value: encodeEvent(event) };
  const previous = publishing.get(connection) ?? Promise.resolve();
  const next = previous
    .then(() => ctx.bus.publish(TOPICS.iq, [record]))
    .then(
      () => {
        ctx.events.emit('iq.published', { sessionId: session.id, id, from: session.jid });
      },
      (err: unknown) => {
        ctx.logger.warn({ err, sessionId: session.id, iqId: id }, 'publishing an IQ failed');
        if (ctx.pending.take(session.id, id) === undefined) return;
        connection.send(stanzaErrorReply(iq, { condition: 'internal-server-error', type: 'wait' }));
      },
    )
    .catch((err: unknown) =>
      ctx.logger.error({ err, sessionId: session.id, iqId: id }, 'after publishing an IQ'),
    );
  publishing.set(connection, next);
}
