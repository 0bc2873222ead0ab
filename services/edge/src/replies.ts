import type { Batch, BusMessage } from '@onlinetime/bus';
import { decodeEventOfTypes } from '@onlinetime/events';
import { NS, parseRawElement, withRootAttributes, xml, type RawElement } from '@onlinetime/stanza';

import type { EdgeContext } from './context.js';
import type { PendingIq } from './pending-iqs.js';

/** The batch handler of the edge's reply topic: each reply goes to its session if its IQ is still pending. */
export function createReplyHandler(ctx: EdgeContext): (batch: Batch) => Promise<void> {
  return (batch) => {
    for (const message of batch.messages) deliverReply(ctx, message);
    return Promise.resolve();
  };
}

function deliverReply(ctx: EdgeContext, message: BusMessage): void {
  const where = { topic: message.topic, partition: message.partition, offset: message.offset };
  let sessionId: string;
  let stanza: RawElement;
  try {
    const event = decodeEventOfTypes(message.value, ['iq.reply']);
    sessionId = event.payload.sessionId;
    // Checked as strictly as a parse, but passed on as text: no tree is built and serialised again.
    stanza = parseRawElement(event.payload.stanza, { maxStanzaBytes: ctx.config.maxStanzaBytes * 2 });
  } catch (err) {
    ctx.logger.warn({ err, ...where }, 'skipping an invalid reply');
    return;
  }
  const { type, id } = stanza.attrs;
  if (stanza.name !== 'iq' || (type !== 'result' && type !== 'error') || id === undefined) {
    ctx.logger.warn({ ...where, sessionId }, 'skipping a reply that is not an IQ result or error');
    return;
  }
  const connection = ctx.registry.bySessionId(sessionId);
  const pending = connection === undefined ? undefined : ctx.pending.take(sessionId, id);
  if (connection === undefined || connection.session === null || pending === undefined) {
    ctx.logger.debug(
      { ...where, sessionId, iqId: id },
      'dropping a reply: session gone or IQ no longer pending',
    );
    return;
  }
  const to = connection.session.jid;
  connection.sendText(
    'iq',
    stanza.attrs.to === to ? stanza.text : withRootAttributes(stanza.text, { ...stanza.attrs, to }),
  );
  ctx.metrics.iqLatency.observe({ outcome: type }, (ctx.now() - pending.sentAt) / 1000);
  ctx.events.emit('iq.answered', { sessionId, id, outcome: type });
}

/** The `wait` error of an IQ the responder did not answer in time. */
export function answerTimeout(ctx: EdgeContext, iq: PendingIq): void {
  ctx.metrics.iqTimeouts.inc();
  ctx.metrics.iqLatency.observe({ outcome: 'timeout' }, (ctx.now() - iq.sentAt) / 1000);
  const connection = ctx.registry.bySessionId(iq.sessionId);
  if (connection === undefined || connection.session === null) return;
  const attrs: Record<string, string> = { type: 'error', id: iq.id, to: connection.session.jid };
  if (iq.to !== undefined) attrs.from = iq.to;
  const error = xml(
    'error',
    { type: 'wait' },
    xml('remote-server-timeout', { xmlns: NS.stanzas }),
    xml('text', { xmlns: NS.stanzas, 'xml:lang': 'en' }, 'no answer from the service in time'),
  );
  connection.send(xml('iq', attrs, error));
  ctx.logger.warn({ sessionId: iq.sessionId, iqId: iq.id }, 'IQ timed out waiting for the responder');
  ctx.events.emit('iq.answered', { sessionId: iq.sessionId, id: iq.id, outcome: 'timeout' });
}
