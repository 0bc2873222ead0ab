/** IQ replies per RFC 6120 §8.1.2 and §8.3: from the addressed entity, to the requester's full JID. */
import type { StanzaError } from '@onlinetime/errors';
import { bareJid } from '@onlinetime/events';
import { errorElement } from '@onlinetime/stanza';

import { el, type Element } from './xml.js';

/** The request fields a reply needs: all come from the edge-stamped event, never from the client. */
export interface ReplyAddress {
  readonly id: string;
  /** Requester's full JID. */
  readonly from: string;
  readonly to: string | undefined;
}

/** The queried entity as addressed, or the requester's own bare JID when `to` was absent. */
function replyFrom(request: ReplyAddress): string {
  return request.to ?? bareJid(request.from);
}

export function resultReply(request: ReplyAddress, payload: Element | null): Element {
  return el('iq', { type: 'result', id: request.id, from: replyFrom(request), to: request.from }, payload);
}

/** The request child is not echoed (RFC 6120 §8.3.1 makes it optional; a vCard could be 64 KiB). */
export function errorReply(request: ReplyAddress, error: StanzaError): Element {
  return el(
    'iq',
    { type: 'error', id: request.id, from: replyFrom(request), to: request.from },
    errorElement({ condition: error.condition, type: error.type, text: error.text }),
  );
}
