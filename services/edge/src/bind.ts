import { randomBytes, randomUUID } from 'node:crypto';

import {
  NS,
  escapeXML,
  escapeXMLText,
  normalizeResource,
  stanzaErrorReply,
  type Element,
} from '@onlinetime/stanza';

import type { Connection } from './connection.js';
import type { EdgeContext } from './context.js';
import { sessionStarted } from './session-events.js';

/**
 * RFC 6120 §7: binds the client's resource (or a generated one) to the authenticated account. A
 * session already bound to the same full JID is replaced: its stream is closed with <conflict/>
 * (and its session.stopped published) before this session.started.
 */
export function handleBind(ctx: EdgeContext, connection: Connection, iq: Element, bind: Element): void {
  const user = connection.user;
  if (user === null) throw new Error('bind before authentication');
  if (iq.attrs.type !== 'set') {
    connection.send(stanzaErrorReply(iq, { condition: 'bad-request', type: 'modify' }));
    return;
  }
  const requested = bind.getChildText('resource');
  let resource: string;
  try {
    resource = requested === null || requested === '' ? generatedResource() : normalizeResource(requested);
  } catch {
    connection.send(
      stanzaErrorReply(iq, { condition: 'bad-request', type: 'modify', text: 'invalid resource' }),
    );
    return;
  }
  const jid = `${user.bare}/${resource}`;
  connection.session = { id: randomUUID(), jid };
  const replaced = ctx.registry.bind(connection);
  if (replaced !== undefined) {
    ctx.logger.info({ jid }, 'session replaced by a new login with the same resource');
    replaced.streamError('conflict', 'replaced by a new session', 'conflict');
  }
  connection.markBound();
  const sessionId = connection.session.id;
  ctx.outbox.enqueue(sessionStarted(ctx.identity, { sessionId, jid, ip: connection.ip }, ctx.now()));
  ctx.metrics.sessions.inc();
  connection.logger.info({ sessionId, jid, ip: connection.ip }, 'session started');
  ctx.events.emit('session.started', { sessionId, jid });
  connection.sendText('iq', bindResultText(iq.attrs.id as string, jid));
}

/** The bind result's text, as ltx would serialise it (same escaping), without building the element. */
export function bindResultText(id: string, jid: string): string {
  return `<iq type="result" id="${escapeXML(id)}"><bind xmlns="${NS.bind}"><jid>${escapeXMLText(jid)}</jid></bind></iq>`;
}

function generatedResource(): string {
  return `onlinetime-${randomBytes(6).toString('hex')}`;
}
