import { bareJid, type SessionsEvent } from '@onlinetime/events';

import type { FinishedSession, OpenSession, UserState } from './types.js';

/** Answers whether a session id was already finished (or tombstoned) before this state was loaded. */
export type SeenSessions = (sessionId: string) => boolean;

export interface ApplyOutcome {
  /** False when the event was a duplicate or otherwise changed nothing. */
  readonly changed: boolean;
  readonly opened?: OpenSession;
  /** A session that ended (or a tombstone for a stop of an unknown session): one session_log row. */
  readonly finished?: FinishedSession;
}

const UNCHANGED: ApplyOutcome = { changed: false };

function resourceOf(fullJid: string): string {
  const slash = fullJid.indexOf('/');
  return slash === -1 ? '' : fullJid.slice(slash + 1);
}

// Plain loops, not some/findIndex with a closure: this runs for every event of a replay.
function indexOfOpen(open: readonly OpenSession[], sessionId: string): number {
  for (let i = 0; i < open.length; i++) if ((open[i] as OpenSession).sessionId === sessionId) return i;
  return -1;
}

/** open.splice(index, 1) without the array of removed elements splice makes (one per stop). */
function removeAt(open: OpenSession[], index: number): void {
  for (let i = index + 1; i < open.length; i++) open[i - 1] = open[i] as OpenSession;
  open.pop();
}

/**
 * Applies one event of xmpp.sessions to the state of its user, in place. The same function serves
 * the live worker and the audit replay, so both compute the same totals by construction.
 *
 * Rules: online time is the union of session intervals; a session id starts at most once and stops
 * at most once, ever; a stop for an unknown session changes no total (it leaves a tombstone so that
 * a late start of that id is ignored too); a balance is applied once per user.
 */
export function applySessionsEvent(state: UserState, event: SessionsEvent, seen: SeenSessions): ApplyOutcome {
  switch (event.type) {
    case 'session.started': {
      const { sessionId, jid, edgeId, bootId, ip } = event.payload;
      if (indexOfOpen(state.open, sessionId) !== -1 || seen(sessionId)) return UNCHANGED;
      const opened: OpenSession = {
        sessionId,
        jid: bareJid(jid),
        resource: resourceOf(jid),
        edgeId,
        bootId,
        ip: ip ?? null,
        startedAt: event.at,
      };
      state.open.push(opened);
      if (state.onlineSince === null) {
        // A new stretch never reaches back into time already counted by the previous one (a start
        // delivered after a later stop), so stretches never overlap and nothing is counted twice.
        state.onlineSince = state.lastLogout === null ? event.at : Math.max(event.at, state.lastLogout);
      } else {
        // Clocks of different edges may disagree: the stretch starts at its earliest known start.
        state.onlineSince = Math.min(state.onlineSince, event.at);
      }
      state.lastLogin = state.lastLogin === null ? event.at : Math.max(state.lastLogin, event.at);
      return { changed: true, opened };
    }
    case 'session.stopped': {
      const { sessionId, jid, edgeId, bootId, reason } = event.payload;
      const index = indexOfOpen(state.open, sessionId);
      if (index === -1) {
        if (seen(sessionId)) return UNCHANGED;
        const tombstone: FinishedSession = {
          sessionId,
          jid: bareJid(jid),
          resource: resourceOf(jid),
          edgeId,
          bootId,
          ip: null,
          startedAt: null,
          stoppedAt: event.at,
          reason,
        };
        return { changed: true, finished: tombstone };
      }
      const session = state.open[index] as OpenSession;
      removeAt(state.open, index);
      // A stop stamped before its own start (a reaper's last heartbeat, clock skew) counts as zero.
      const stoppedAt = Math.max(event.at, session.startedAt);
      state.lastLogout = state.lastLogout === null ? stoppedAt : Math.max(state.lastLogout, stoppedAt);
      if (state.open.length === 0 && state.onlineSince !== null) {
        // The stretch ends at its latest stop, not at the last one applied: a reaper's stop is timed
        // at the edge's last heartbeat and may arrive after a later stop of another resource.
        state.totalMs += Math.max(0, state.lastLogout - state.onlineSince);
        state.onlineSince = null;
      }
      // Spelled out rather than spread: one object shape for every finished session, built cheaply.
      const finished: FinishedSession = {
        sessionId: session.sessionId,
        jid: session.jid,
        resource: session.resource,
        edgeId: session.edgeId,
        bootId: session.bootId,
        ip: session.ip,
        startedAt: session.startedAt,
        stoppedAt,
        reason,
      };
      return { changed: true, finished };
    }
    case 'balance.opened': {
      if (state.balanceMs !== null) return UNCHANGED;
      state.balanceMs = event.payload.ms;
      state.totalMs += event.payload.ms;
      return { changed: true };
    }
  }
}
