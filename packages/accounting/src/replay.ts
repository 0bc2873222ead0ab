import { bareJid, type SessionsEvent } from '@onlinetime/events';

import { applySessionsEvent } from './apply.js';
import { createFinishedIds } from './finished-ids.js';
import { emptyUserState, type UserState } from './types.js';

/** In-memory accounting over a replay of xmpp.sessions (audit, rebuild). */
export interface ReplayAccumulator {
  apply(event: SessionsEvent): void;
  readonly users: ReadonlyMap<string, UserState>;
  /** Ids of every session that finished (or was tombstoned), in the order they did (a copy). */
  readonly finished: ReadonlySet<string>;
}

export function createReplayAccumulator(): ReplayAccumulator {
  const users = new Map<string, UserState>();
  const finished = createFinishedIds();
  const seen = (id: string): boolean => finished.has(id);
  return {
    users,
    get finished() {
      return finished.ids;
    },
    apply(event) {
      const jid = bareJid(event.payload.jid);
      let state = users.get(jid);
      if (state === undefined) {
        state = emptyUserState(jid);
        users.set(jid, state);
      }
      const outcome = applySessionsEvent(state, event, seen);
      if (outcome.finished !== undefined) finished.add(outcome.finished.sessionId);
    },
  };
}
