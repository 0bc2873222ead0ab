/** Resolves an IQ's `to` (RFC 6120 §10.3, RFC 7622) against the domains this deployment serves. */
import { StanzaError } from '@onlinetime/errors';
import { bareJid } from '@onlinetime/events';
import { bareJidOf, tryParseJid } from '@onlinetime/stanza';

import type { IqTarget } from './iq-handler.js';

/** The requester's bare JID as the store keys it (the edge stamps `from` already normalised). */
function ownBareJid(from: string): string {
  const jid = tryParseJid(from);
  return jid === null ? bareJid(from).toLowerCase() : bareJidOf(jid);
}

/**
 * `to` absent → the requester; a served domain → the server; a local bare JID → that user.
 * Throws StanzaError: jid-malformed, remote-server-not-found (a domain we do not serve),
 * service-unavailable (a full JID: routing to a resource is the edge's job, never the responder's).
 */
export function resolveTarget(from: string, to: string | undefined, domains: ReadonlySet<string>): IqTarget {
  const own = ownBareJid(from);
  if (to === undefined) return { kind: 'user', jid: own, self: true };
  const jid = tryParseJid(to);
  if (jid === null) throw new StanzaError('jid-malformed', 'modify');
  if (!domains.has(jid.domain)) throw new StanzaError('remote-server-not-found', 'cancel');
  if (jid.resource !== null) throw new StanzaError('service-unavailable', 'cancel');
  if (jid.local === null) return { kind: 'server', domain: jid.domain };
  const bare = bareJidOf(jid);
  return { kind: 'user', jid: bare, self: bare === own };
}
