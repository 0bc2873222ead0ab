/** Builders of xmpp.sessions / xmpp.edges events for tests. */
import {
  createEvent,
  encodeEvent,
  type EdgesEvent,
  type SessionsEvent,
  type SessionStopReason,
} from '@onlinetime/events';

export interface SessionRef {
  readonly sessionId: string;
  /** Full JID. */
  readonly jid: string;
  readonly edgeId?: string;
  readonly bootId?: string;
}

export function started(s: SessionRef, at: number): SessionsEvent {
  return createEvent(
    'session.started',
    {
      sessionId: s.sessionId,
      jid: s.jid,
      edgeId: s.edgeId ?? 'edge-1',
      bootId: s.bootId ?? 'boot-1',
      ip: '127.0.0.1',
    },
    { source: s.edgeId ?? 'edge-1', at },
  );
}

export function stopped(s: SessionRef, at: number, reason: SessionStopReason = 'closed'): SessionsEvent {
  return createEvent(
    'session.stopped',
    {
      sessionId: s.sessionId,
      jid: s.jid,
      edgeId: s.edgeId ?? 'edge-1',
      bootId: s.bootId ?? 'boot-1',
      reason,
    },
    { source: s.edgeId ?? 'edge-1', at },
  );
}

export function balance(jid: string, ms: number, at = 0): SessionsEvent {
  return createEvent('balance.opened', { jid, ms, origin: 'test' }, { source: 'test', at });
}

export function edgeEvent(
  type: EdgesEvent['type'],
  edgeId: string,
  bootId: string,
  at: number,
  sessions = 0,
): EdgesEvent {
  return createEvent(type, { edgeId, bootId, sessions }, { source: edgeId, at });
}

export const encode = (events: ReadonlyArray<SessionsEvent | EdgesEvent>): Buffer[] =>
  events.map(encodeEvent);
