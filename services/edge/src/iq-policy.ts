import type { StanzaErrorType } from '@onlinetime/errors';
import { NS, type Element } from '@onlinetime/stanza';

import { accountDiscoInfo, emptyQuery, serverDiscoInfo } from './server-iqs.js';

/** Whom an IQ get/set from a bound client is addressed to, once `to` is checked and local. */
export type IqTarget =
  | { readonly kind: 'server' }
  /** No `to` (own account) or a local bare JID. */
  | { readonly kind: 'account'; readonly own: boolean }
  /** A full JID (or domain/resource). */
  | { readonly kind: 'resource' };

export type IqAction =
  | { readonly do: 'result'; readonly payload?: Element }
  | {
      readonly do: 'error';
      readonly condition: string;
      readonly type: StanzaErrorType;
      readonly text?: string;
    }
  | { readonly do: 'publish' };

const RESPONDER_OWNED = new Set<string>([NS.vcard, NS.onlinetimeYoubao, NS.onlinetimeGuoguo]);
const UNAVAILABLE: IqAction = { do: 'error', condition: 'service-unavailable', type: 'cancel' };

/**
 * The routing table of the edge (pure): what the edge answers itself, what goes to the responder,
 * and `service-unavailable` for everything else (RFC 6120 §8.4, RFC 6121 §8.5). IQs to full JIDs are
 * not routed between clients (a documented limit): they get `service-unavailable` too.
 */
export function decideIq(type: 'get' | 'set', payload: Element, target: IqTarget): IqAction {
  const ns = payload.getNS() ?? '';
  const node = payload.attrs.node as unknown;
  if (ns === NS.bind) return { do: 'error', condition: 'not-allowed', type: 'cancel', text: 'already bound' };
  if (target.kind === 'resource') return UNAVAILABLE;
  const server = target.kind === 'server';
  const own = target.kind === 'account' && target.own;
  if (ns === NS.session && type === 'set' && (server || own)) return { do: 'result' };
  if (ns === NS.last && type === 'get') return { do: 'publish' };
  if (RESPONDER_OWNED.has(ns) && target.kind === 'account') return { do: 'publish' };
  if (type !== 'get') return UNAVAILABLE;
  if (ns === NS.ping && payload.name === 'ping' && (server || own)) return { do: 'result' };
  if (ns === NS.discoInfo && payload.name === 'query') {
    if (node !== undefined && (server || own))
      return { do: 'error', condition: 'item-not-found', type: 'cancel' };
    if (server) return { do: 'result', payload: serverDiscoInfo() };
    if (own) return { do: 'result', payload: accountDiscoInfo() };
    return UNAVAILABLE;
  }
  if (ns === NS.discoItems && payload.name === 'query')
    return { do: 'result', payload: emptyQuery(NS.discoItems) };
  if (ns === NS.roster && payload.name === 'query' && own)
    return { do: 'result', payload: emptyQuery(NS.roster) };
  return UNAVAILABLE;
}
