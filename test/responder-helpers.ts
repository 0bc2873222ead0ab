/** Shared by test/responder*.int.test.ts: online time written as the sessions worker writes it. */
import { applySessionsEvent, type FinishedSession, type OpenSession } from '@onlinetime/accounting';
import { bareJid, createEvent, type SessionsEvent } from '@onlinetime/events';
import type { Store } from '@onlinetime/store';

import { uniqueId } from './helpers/infra.js';

export const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
export const MINUTE = 60_000;

/** Session events applied with the accounting rules through one accounting transaction of the store. */
export async function recordSessions(store: Store, events: SessionsEvent[]): Promise<void> {
  const jids = [...new Set(events.map((e) => bareJid(e.payload.jid)))];
  const key = { groupId: uniqueId('acct-'), topic: 'xmpp.sessions', partition: 0 };
  await store.accounting.inPartitionTransaction(key, async (tx) => {
    const states = await tx.loadUsers(jids);
    const seen = await tx.loadFinished(
      events.flatMap((e) => (e.type === 'balance.opened' ? [] : [e.payload.sessionId])),
    );
    const opened: OpenSession[] = [];
    const finished: FinishedSession[] = [];
    for (const event of events) {
      const state = states.get(bareJid(event.payload.jid));
      if (state === undefined) throw new Error(`no state for ${event.payload.jid}`);
      const outcome = applySessionsEvent(state, event, (id) => seen.has(id));
      if (outcome.opened) opened.push(outcome.opened);
      if (outcome.finished) finished.push(outcome.finished);
    }
    await tx.save({ users: [...states.values()], opened, finished, nextOffset: '1' });
  });
}

/** A closed session of `fullJid` from `from` to `to` (epoch ms), as two events. */
export function session(
  fullJid: string,
  from: number,
  to: number | null,
  edgeId = 'edge-hist',
): SessionsEvent[] {
  const sessionId = uniqueId('sess-');
  const base = { sessionId, jid: fullJid, edgeId, bootId: 'b1' };
  const events: SessionsEvent[] = [createEvent('session.started', base, { source: edgeId, at: from })];
  if (to !== null)
    events.push(createEvent('session.stopped', { ...base, reason: 'closed' }, { source: edgeId, at: to }));
  return events;
}

/** RFC 6120 §8.3.2 error element as the responder writes it. */
export function errorOf(type: string, condition: string, text?: string): string {
  const textElement = text === undefined ? '' : `<text xmlns="${STANZAS}" xml:lang="en">${text}</text>`;
  return `<error type="${type}"><${condition} xmlns="${STANZAS}"/>${textElement}</error>`;
}
