import { NS, stanzaErrorReply, tryParseJid, xml, type Element } from '@onlinetime/stanza';

import { handleBind } from './bind.js';
import type { Connection, InboxItem } from './connection.js';
import type { EdgeContext } from './context.js';
import { routeIq } from './iq-router.js';
import { openStream } from './negotiation.js';
import { handleSasl, type SaslDeps } from './sasl.js';
import { handleStarttls } from './starttls.js';

/** What each connection does with its inbox, by state: negotiating, authenticated, bound. */
export function createDispatcher(
  ctx: EdgeContext,
): (connection: Connection, item: InboxItem) => void | Promise<void> {
  const sasl: SaslDeps = {
    users: ctx.users,
    throttle: ctx.throttle,
    policy: ctx.policy,
    metrics: ctx.metrics,
    refuseLogins: () => ctx.outbox.isFull(),
  };
  return (connection, item) => {
    switch (item.kind) {
      case 'start':
        openStream(connection, item.attrs, item.name, ctx.policy);
        return;
      case 'end':
        connection.closeStream('closed');
        return;
      case 'error':
        connection.streamError(item.condition, item.text, 'error');
        return;
      case 'element':
        if (connection.user === null) return beforeAuth(ctx, sasl, connection, item.element);
        if (connection.session === null) return beforeBind(ctx, connection, item.element);
        return bound(ctx, connection, item.element, item.text);
    }
  };
}

function beforeAuth(
  ctx: EdgeContext,
  sasl: SaslDeps,
  connection: Connection,
  el: Element,
): void | Promise<void> {
  if (el.is('starttls', NS.tls)) {
    const offered = ctx.policy.starttls && ctx.tls !== null;
    handleStarttls(connection, ctx.tls as NonNullable<typeof ctx.tls>, offered);
    return;
  }
  if (el.getNS() === NS.sasl) return handleSasl(sasl, connection, el);
  connection.streamError('not-authorized', 'authenticate first', 'error');
}

function beforeBind(ctx: EdgeContext, connection: Connection, el: Element): void {
  const id = el.attrs.id as unknown;
  if (!el.is('iq', NS.client) || typeof id !== 'string' || id === '') {
    connection.streamError('not-authorized', 'bind a resource first', 'error');
    return;
  }
  delete el.attrs.from;
  const bind = el.getChild('bind', NS.bind);
  if (bind !== undefined) {
    handleBind(ctx, connection, el, bind);
  } else if (el.getChild('session', NS.session) !== undefined && el.attrs.type === 'set') {
    connection.send(xml('iq', { type: 'result', id }));
  } else {
    connection.streamError('not-authorized', 'bind a resource first', 'error');
  }
}

function bound(ctx: EdgeContext, connection: Connection, el: Element, text: string): void {
  const session = connection.session;
  if (session === null) return;
  if (el.getNS() !== NS.client || !['iq', 'message', 'presence'].includes(el.name)) {
    connection.streamError('unsupported-stanza-type', `<${el.name}/> is not a stanza`, 'error');
    return;
  }
  el.attrs.from = session.jid; // never trust a client-supplied from
  if (el.name === 'iq') routeIq(ctx, connection, el, text);
  else if (el.name === 'message') refuseMessage(ctx, connection, el);
  // Presence is accepted and not routed (no rosters, no subscriptions).
}

/** Messages are not routed between users (a documented limit): service-unavailable, errors ignored. */
function refuseMessage(ctx: EdgeContext, connection: Connection, message: Element): void {
  if (message.attrs.type === 'error') return;
  if (message.attrs.to !== undefined) {
    const jid = tryParseJid(String(message.attrs.to));
    if (jid === null) {
      delete message.attrs.to;
      connection.send(stanzaErrorReply(message, { condition: 'jid-malformed', type: 'modify' }));
      return;
    }
    if (!ctx.policy.domains.includes(jid.domain)) {
      connection.send(stanzaErrorReply(message, { condition: 'remote-server-not-found', type: 'cancel' }));
      return;
    }
  }
  connection.send(
    stanzaErrorReply(message, {
      condition: 'service-unavailable',
      type: 'cancel',
      text: 'messages are not delivered',
    }),
  );
}
