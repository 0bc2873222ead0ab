import {
  TOPICS,
  createEvent,
  edgesKey,
  encodeEvent,
  sessionsKey,
  type EdgesEvent,
  type SessionStopReason,
} from '@onlinetime/events';

import type { OutboxRecord } from './outbox.js';

export interface EdgeIdentity {
  readonly edgeId: string;
  readonly bootId: string;
}

export function sessionStarted(
  edge: EdgeIdentity,
  session: { sessionId: string; jid: string; ip?: string },
  at: number,
): OutboxRecord {
  const payload = {
    sessionId: session.sessionId,
    jid: session.jid,
    edgeId: edge.edgeId,
    bootId: edge.bootId,
  };
  const event = createEvent(
    'session.started',
    session.ip === undefined ? payload : { ...payload, ip: session.ip },
    {
      source: edge.edgeId,
      at,
    },
  );
  return { topic: TOPICS.sessions, key: sessionsKey(session.jid), value: encodeEvent(event) };
}

export function sessionStopped(
  edge: EdgeIdentity,
  session: { sessionId: string; jid: string },
  reason: SessionStopReason,
  at: number,
): OutboxRecord {
  const event = createEvent(
    'session.stopped',
    { sessionId: session.sessionId, jid: session.jid, edgeId: edge.edgeId, bootId: edge.bootId, reason },
    { source: edge.edgeId, at },
  );
  return { topic: TOPICS.sessions, key: sessionsKey(session.jid), value: encodeEvent(event) };
}

export function edgeEvent(
  edge: EdgeIdentity,
  type: EdgesEvent['type'],
  sessions: number,
  at: number,
): OutboxRecord {
  const event = createEvent(
    type,
    { edgeId: edge.edgeId, bootId: edge.bootId, sessions },
    { source: edge.edgeId, at },
  );
  return { topic: TOPICS.edges, key: edgesKey(edge.edgeId), value: encodeEvent(event) };
}
