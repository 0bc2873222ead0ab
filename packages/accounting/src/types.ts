/** Per-user accounting state, exactly what the online_time and open_sessions tables hold. */

export interface OpenSession {
  readonly sessionId: string;
  /** Bare JID of the user. */
  readonly jid: string;
  readonly resource: string;
  readonly edgeId: string;
  readonly bootId: string;
  readonly ip: string | null;
  readonly startedAt: number;
}

export interface FinishedSession {
  readonly sessionId: string;
  readonly jid: string;
  readonly resource: string;
  readonly edgeId: string;
  readonly bootId: string;
  readonly ip: string | null;
  /** Null for a stop whose session never started here (a tombstone: the id can never start later). */
  readonly startedAt: number | null;
  readonly stoppedAt: number;
  readonly reason: string;
}

export interface UserState {
  /** Bare JID. */
  readonly jid: string;
  /** Milliseconds of closed online stretches (the union of sessions), balances included. */
  totalMs: number;
  /** Start of the current online stretch, or null when offline. */
  onlineSince: number | null;
  lastLogin: number | null;
  lastLogout: number | null;
  /** Opening balance carried over from a previous system; null until one was applied. */
  balanceMs: number | null;
  /** Open sessions of this user, in start order. */
  open: OpenSession[];
}

export function emptyUserState(jid: string): UserState {
  return { jid, totalMs: 0, onlineSince: null, lastLogin: null, lastLogout: null, balanceMs: null, open: [] };
}
