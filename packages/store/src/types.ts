/** The store port: repositories implemented by mysql/ (MySQL 8.x, MariaDB 10.11) and memory/. */
import type { FinishedSession, OpenSession, UserState } from '@onlinetime/accounting';

export type ScramMechanism = 'SCRAM-SHA-1' | 'SCRAM-SHA-256';

/** RFC 5802 §3 server-side keys; the password itself is never stored. */
export interface ScramKeys {
  readonly salt: Buffer;
  readonly iterations: number;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

export interface UserCredentials {
  /** Bare JID, normalised (lower-case domain and localpart as stored by `user add`). */
  readonly jid: string;
  readonly scram: Readonly<Record<ScramMechanism, ScramKeys>>;
}

export interface UsersRepository {
  getCredentials(jid: string): Promise<UserCredentials | null>;
  /** Credentials of those of `jids` that are users, by bare JID (one query; absent ones are missing). */
  getCredentialsMany(jids: readonly string[]): Promise<Map<string, UserCredentials>>;
  /** Throws OnlinetimeError code USER_EXISTS when the user exists. */
  add(credentials: UserCredentials): Promise<void>;
  /** Replaces the keys; false when no such user. Inserts when `upsert` is set (importers). */
  setCredentials(credentials: UserCredentials, options?: { upsert?: boolean }): Promise<boolean>;
  /** False when no such user. */
  remove(jid: string): Promise<boolean>;
  /** Bare JIDs in order, optionally of one domain. */
  list(domain?: string): Promise<string[]>;
  /** The subset of `jids` that are existing users (one query). */
  existing(jids: readonly string[]): Promise<Set<string>>;
}

export interface VcardsRepository {
  /** Stored vCard XML text per bare JID, for those that have one (one query). */
  getMany(jids: readonly string[]): Promise<Map<string, string>>;
  /**
   * Stored vCards with their owners' totals, for those that have a vCard (one query): a vCard get
   * needs both, and only when the vCard exists.
   */
  getManyWithTotals(jids: readonly string[]): Promise<Map<string, VcardWithTotals>>;
  put(jid: string, xml: string): Promise<void>;
}

export interface VcardWithTotals {
  readonly xml: string;
  /** Undefined when the owner has no online_time row. */
  readonly totals: UserTotals | undefined;
}

/** Per-user totals as stored (online_time). */
export interface UserTotals {
  readonly jid: string;
  readonly totalMs: number;
  readonly onlineSince: number | null;
  readonly lastLogin: number | null;
  readonly lastLogout: number | null;
  readonly balanceMs: number | null;
}

export interface OnlineTimeRepository {
  /** Totals per bare JID for those that have a row (one query). */
  getMany(jids: readonly string[]): Promise<Map<string, UserTotals>>;
  /** Every row, in pages ordered by jid, so audits of millions of users stream. */
  scanAll(pageSize?: number): AsyncIterable<UserTotals[]>;
}

export interface PartitionKey {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
}

/** The changes of one partition batch, written in one transaction with the next offset. */
export interface AccountingChanges {
  /** Full states of every user touched (upserted into online_time). */
  readonly users: readonly UserState[];
  readonly opened: readonly OpenSession[];
  readonly finished: readonly FinishedSession[];
  /** Offset of the next message to read in this partition (last applied + 1). */
  readonly nextOffset: string;
  /**
   * Token of the writer, stored with nextOffset (at most 64 characters); absent or null stores NULL.
   * A worker that reads its own token back with its own last offset knows nobody else wrote since.
   */
  readonly writer?: string | null;
}

/** Operations inside one accounting transaction; the offset row is locked for its whole life. */
export interface AccountingTransaction {
  /** Next offset recorded for the partition, or null when none: messages below it were applied. */
  readonly storedOffset: string | null;
  /** The writer token saved with storedOffset (null: none, or the row was written by something else). */
  readonly storedWriter: string | null;
  /** Loads online_time and open_sessions of these users (two queries). Unknown users are empty. */
  loadUsers(jids: readonly string[]): Promise<Map<string, UserState>>;
  /** The subset of these session ids already in session_log (finished or tombstoned). */
  loadFinished(sessionIds: readonly string[]): Promise<Set<string>>;
  save(changes: AccountingChanges): Promise<void>;
}

export interface AccountingRepository {
  /** Runs `work` in one transaction (commit on resolve, rollback on throw). */
  inPartitionTransaction<T>(key: PartitionKey, work: (tx: AccountingTransaction) => Promise<T>): Promise<T>;
  /** Open sessions of one edge boot (the reaper closes them). */
  openSessionsOfBoot(edgeId: string, bootId: string): Promise<OpenSession[]>;
  /** Every (edge, boot) that still has open sessions, with the count. */
  openBoots(): Promise<Array<{ edgeId: string; bootId: string; sessions: number }>>;
  /** session_log rows of a user, newest first (audit trail, `online-time show`). */
  sessionLog(jid: string, limit: number): Promise<FinishedSession[]>;
}

export interface EdgeBoot {
  readonly edgeId: string;
  readonly bootId: string;
  readonly startedAt: number;
  readonly lastHeartbeat: number;
  readonly stoppedAt: number | null;
}

/** What the reaper knows of every edge boot it has heard of (edge_boots). */
export interface EdgesRepository {
  all(): Promise<EdgeBoot[]>;
  /** Upserts; lastHeartbeat only moves forward. */
  record(boots: readonly EdgeBoot[]): Promise<void>;
}

export interface Store {
  readonly users: UsersRepository;
  readonly vcards: VcardsRepository;
  readonly onlineTime: OnlineTimeRepository;
  readonly accounting: AccountingRepository;
  readonly edges: EdgesRepository;
  /** Pings the database (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
