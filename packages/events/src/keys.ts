/** Message keys per topic (architecture.md, "Topics, keys, ordering"). */

/** `user@domain/resource` → `user@domain`; a bare JID is returned unchanged. */
export function bareJid(jid: string): string {
  const slash = jid.indexOf('/');
  return slash === -1 ? jid : jid.slice(0, slash);
}

/** xmpp.sessions: all of one user's sessions on one partition, in order. */
export const sessionsKey = (jid: string): string => bareJid(jid);
/** xmpp.iq: keyed by the sender so a vCard set stays before its following get. */
export const iqKey = (fromFullJid: string): string => bareJid(fromFullJid);
/** xmpp.edges: one partition, keyed by edge id. */
export const edgesKey = (edgeId: string): string => edgeId;
/** xmpp.edge.<edgeId>: keyed by the session id of the requester. */
export const replyKey = (sessionId: string): string => sessionId;
