import {
  applySessionsEvent,
  createFinishedIds,
  emptyUserState,
  type FinishedSession,
  type UserState,
} from '@onlinetime/accounting';
import { bareJid, type SessionsEvent } from '@onlinetime/events';

/**
 * Replay state for `rebuild`: the worker's rules (applySessionsEvent) over the whole log, keeping
 * per-user state and the ids of finished sessions; the session_log rows themselves are handed out
 * as they finish (takeFinished) so they can be written in batches instead of held.
 */
export interface RebuildAccumulator {
  apply(event: SessionsEvent): void;
  /** Finished sessions (and tombstones) since the last call. */
  takeFinished(): FinishedSession[];
  readonly pendingFinished: number;
  /** Users whose state an event changed: the rows the worker would have written to online_time. */
  changedUsers(): IterableIterator<UserState>;
  readonly userCount: number;
  readonly finishedCount: number;
}

export function createRebuildAccumulator(): RebuildAccumulator {
  const users = new Map<string, UserState>();
  const changed = new Set<string>();
  const finishedIds = createFinishedIds();
  const seen = (id: string): boolean => finishedIds.has(id);
  let pending: FinishedSession[] = [];
  return {
    apply(event) {
      const jid = bareJid(event.payload.jid);
      let state = users.get(jid);
      if (state === undefined) {
        state = emptyUserState(jid);
        users.set(jid, state);
      }
      const outcome = applySessionsEvent(state, event, seen);
      if (!outcome.changed) return;
      if (outcome.finished !== undefined) {
        finishedIds.add(outcome.finished.sessionId);
        pending.push(outcome.finished);
        // A tombstone leaves the user's state as it was (the worker writes no online_time row for it).
        if (outcome.finished.startedAt === null) return;
      }
      changed.add(jid);
    },
    takeFinished() {
      const taken = pending;
      pending = [];
      return taken;
    },
    get pendingFinished() {
      return pending.length;
    },
    *changedUsers() {
      for (const jid of changed) yield users.get(jid) as UserState;
    },
    get userCount() {
      return changed.size;
    },
    get finishedCount() {
      return finishedIds.size;
    },
  };
}
