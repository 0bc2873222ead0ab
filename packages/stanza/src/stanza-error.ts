import type { StanzaError, StanzaErrorType } from '@onlinetime/errors';
import type { Element } from '@xmpp/xml';

import { NS } from './namespaces.js';
import { cloneElement, xml } from './xml.js';

export interface StanzaErrorSpec {
  readonly condition: string;
  readonly type: StanzaErrorType;
  readonly text?: string | undefined;
}

/** RFC 6120 §8.3.2: `<error type='…'><condition xmlns='…xmpp-stanzas'/><text …>…</text></error>`. */
export function errorElement(spec: StanzaErrorSpec): Element {
  const error = xml('error', { type: spec.type }, xml(spec.condition, { xmlns: NS.stanzas }));
  if (spec.text !== undefined && spec.text !== '') {
    error.append(xml('text', { xmlns: NS.stanzas, 'xml:lang': 'en' }, spec.text));
  }
  return error;
}

export interface ErrorReplyOptions {
  /** Overrides the reply's `from` (default: the request's `to`, omitted when it had none). */
  readonly from?: string;
  /** Overrides the reply's `to` (default: the request's `from`). */
  readonly to?: string;
}

/**
 * The error reply to a stanza (RFC 6120 §8.3.1): same name and id, type 'error', `from`/`to` swapped,
 * and for an IQ the request's payload echoed before the <error/> so the sender can see what failed.
 */
export function stanzaErrorReply(
  request: Element,
  spec: StanzaErrorSpec | StanzaError,
  options: ErrorReplyOptions = {},
): Element {
  const attrs: Record<string, string> = { type: 'error' };
  const id = request.attrs.id as unknown;
  if (typeof id === 'string') attrs.id = id;
  const from = options.from ?? (request.attrs.to as string | undefined);
  const to = options.to ?? (request.attrs.from as string | undefined);
  if (from !== undefined) attrs.from = from;
  if (to !== undefined) attrs.to = to;
  const reply = xml(request.name, attrs);
  if (request.name === 'iq') {
    for (const child of request.getChildElements()) reply.append(cloneElement(child));
  }
  reply.append(errorElement({ condition: spec.condition, type: spec.type, text: spec.text }));
  return reply;
}
