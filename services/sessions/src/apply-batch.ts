import {
  applySessionsEvent,
  emptyUserState,
  type FinishedSession,
  type OpenSession,
  type UserState,
} from '@onlinetime/accounting';
import { bareJid } from '@onlinetime/events';
import type { AccountingTransaction } from '@onlinetime/store';

import type { DecodedMessage } from './decode-batch.js';

export interface BatchResult {
  /** Next offset recorded before this batch (null: none). */
  readonly storedOffset: bigint | null;
  /** Next offset written by this batch, or null when the whole batch lay below the stored offset. */
  readonly nextOffset: bigint | null;
  /** Events that changed something. */
  readonly applied: number;
  /** Valid events at or above the stored offset that changed nothing (duplicates, late starts). */
  readonly unchanged: number;
  /** Messages below the stored offset: applied by an earlier transaction, skipped now. */
  readonly skipped: number;
  /** Every user state the batch read or was given, as it stands after the batch. */
  readonly users: Map<string, UserState>;
}

export interface ApplyOptions {
  /**
   * States known to equal the stored rows at tx.storedOffset (the worker's cache): those users are
   * not read again. The map is updated in place and returned as `users`, the batch's users last.
   */
  readonly known?: Map<string, UserState>;
  /** Writer token stored with the next offset (see AccountingChanges.writer). */
  readonly writer?: string;
}

/**
 * Applies one partition batch inside its accounting transaction: one read of every user the batch
 * names (but those in `options.known`) and of every finished session id it may need, the pure rules in offset order, one save of the net
 * effect together with the next offset. `lastOffset` is the batch's last message (valid or not).
 */
export async function applyBatch(
  tx: AccountingTransaction,
  messages: readonly DecodedMessage[],
  lastOffset: bigint,
  options: ApplyOptions = {},
): Promise<BatchResult> {
  const users = options.known ?? new Map<string, UserState>();
  const storedOffset = tx.storedOffset === null ? null : BigInt(tx.storedOffset);
  const nextOffset = lastOffset + 1n;
  if (storedOffset !== null && nextOffset <= storedOffset) {
    return { storedOffset, nextOffset: null, applied: 0, unchanged: 0, skipped: messages.length, users };
  }
  const pending = storedOffset === null ? messages : messages.filter((m) => m.offset >= storedOffset);
  const skipped = messages.length - pending.length;

  const touched = new Set<string>();
  const missing: string[] = [];
  // Each event's bare JID, computed (and hashed by the first lookup) once for both passes.
  const jidOf = new Array<string>(pending.length);
  for (let i = 0; i < pending.length; i++) {
    const jid = bareJid((pending[i] as DecodedMessage).event.payload.jid);
    jidOf[i] = jid;
    if (touched.has(jid)) continue;
    touched.add(jid);
    const known = users.get(jid);
    if (known === undefined) missing.push(jid);
    else {
      // Most recently used last, so a bounded cache drops the users idle longest.
      users.delete(jid);
      users.set(jid, known);
    }
  }
  if (missing.length > 0) for (const [jid, state] of await tx.loadUsers(missing)) users.set(jid, state);
  // Whether an id already finished matters for every start, and for stops of sessions not open now
  // (a session open in open_sessions is not in session_log): most stops need no lookup.
  const openNow = new Set<string>();
  for (const jid of touched) for (const s of users.get(jid)?.open ?? []) openNow.add(s.sessionId);
  const sessionIds = new Set<string>();
  for (const { event } of pending) {
    if (event.type === 'session.started') sessionIds.add(event.payload.sessionId);
    else if (event.type === 'session.stopped' && !openNow.has(event.payload.sessionId))
      sessionIds.add(event.payload.sessionId);
  }
  const finishedBefore = sessionIds.size > 0 ? await tx.loadFinished([...sessionIds]) : new Set<string>();

  const finished = new Map<string, FinishedSession>();
  // Sessions opened by this batch; one that also finishes in it never reaches open_sessions.
  const opened = new Map<string, OpenSession>();
  const changedUsers = new Map<string, UserState>();
  const seen = (id: string): boolean => finishedBefore.has(id) || finished.has(id);
  let applied = 0;
  for (let i = 0; i < pending.length; i++) {
    const { event } = pending[i] as DecodedMessage;
    const jid = jidOf[i] as string;
    let state = users.get(jid);
    if (state === undefined) {
      state = emptyUserState(jid);
      users.set(jid, state);
    }
    const outcome = applySessionsEvent(state, event, seen);
    if (!outcome.changed) continue;
    applied += 1;
    if (outcome.opened !== undefined) opened.set(outcome.opened.sessionId, outcome.opened);
    if (outcome.finished !== undefined) {
      finished.set(outcome.finished.sessionId, outcome.finished);
      opened.delete(outcome.finished.sessionId);
      // A tombstone (stop of an unknown session) leaves the user's state as it was.
      if (outcome.finished.startedAt === null) continue;
    }
    changedUsers.set(jid, state);
  }

  await tx.save({
    users: [...changedUsers.values()],
    opened: [...opened.values()],
    finished: [...finished.values()],
    nextOffset: nextOffset.toString(),
    writer: options.writer ?? null,
  });
  return { storedOffset, nextOffset, applied, unchanged: pending.length - applied, skipped, users };
}
