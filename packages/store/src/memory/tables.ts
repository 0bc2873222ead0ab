/** The in-memory tables, mirroring migrations/ (001_initial.sql, 002_...) row for row. */
import type { FinishedSession, OpenSession, UserState } from '@onlinetime/accounting';

import { compareKeys } from '../order.js';
import type {
  AccountingChanges,
  EdgeBoot,
  PartitionKey,
  ScramKeys,
  UserCredentials,
  UserTotals,
} from '../types.js';

export interface MemoryTables {
  readonly users: Map<string, UserCredentials>;
  readonly vcards: Map<string, string>;
  readonly onlineTime: Map<string, UserTotals>;
  /** open_sessions by its primary key (jid, session_id), see openKeyString. */
  readonly openSessions: Map<string, OpenSession>;
  /** open_sessions by jid, then session id (the MySQL table is clustered that way). */
  readonly openByJid: Map<string, Map<string, OpenSession>>;
  readonly sessionLog: Map<string, FinishedSession>;
  /** consumer_offsets; null is a row created by a transaction that never saved. */
  readonly offsets: Map<string, string | null>;
  /** consumer_offsets.writer of the same rows (absent: NULL). */
  readonly offsetWriters: Map<string, string>;
  readonly edges: Map<string, EdgeBoot>;
}

export function createTables(): MemoryTables {
  return {
    users: new Map(),
    vcards: new Map(),
    onlineTime: new Map(),
    openSessions: new Map(),
    openByJid: new Map(),
    sessionLog: new Map(),
    offsets: new Map(),
    offsetWriters: new Map(),
    edges: new Map(),
  };
}

export const partitionKeyString = (key: PartitionKey): string =>
  JSON.stringify([key.groupId, key.topic, key.partition]);
export const openKeyString = (jid: string, sessionId: string): string => JSON.stringify([jid, sessionId]);
export const edgeKeyString = (edgeId: string, bootId: string): string => JSON.stringify([edgeId, bootId]);

function copyKeys(keys: ScramKeys): ScramKeys {
  return {
    salt: Buffer.from(keys.salt),
    iterations: keys.iterations,
    storedKey: Buffer.from(keys.storedKey),
    serverKey: Buffer.from(keys.serverKey),
  };
}

/** Buffers are copied in and out, as a database would: callers never share memory with the store. */
export function copyCredentials(c: UserCredentials): UserCredentials {
  return {
    jid: c.jid,
    scram: {
      'SCRAM-SHA-1': copyKeys(c.scram['SCRAM-SHA-1']),
      'SCRAM-SHA-256': copyKeys(c.scram['SCRAM-SHA-256']),
    },
  };
}

export function byStart(
  a: { startedAt: number; sessionId: string },
  b: { startedAt: number; sessionId: string },
) {
  return a.startedAt - b.startedAt || compareKeys(a.sessionId, b.sessionId);
}

function insertOpen(tables: MemoryTables, s: OpenSession): void {
  tables.openSessions.set(openKeyString(s.jid, s.sessionId), s);
  const ofUser = tables.openByJid.get(s.jid) ?? new Map<string, OpenSession>();
  ofUser.set(s.sessionId, s);
  tables.openByJid.set(s.jid, ofUser);
}

function deleteOpen(tables: MemoryTables, jid: string, sessionId: string): void {
  if (!tables.openSessions.delete(openKeyString(jid, sessionId))) return;
  const ofUser = tables.openByJid.get(jid);
  ofUser?.delete(sessionId);
  if (ofUser?.size === 0) tables.openByJid.delete(jid);
}

/** Applies one save in the order the MySQL store runs its statements. */
export function applyChanges(tables: MemoryTables, key: PartitionKey, changes: AccountingChanges): void {
  for (const u of changes.users) {
    const { jid, totalMs, onlineSince, lastLogin, lastLogout, balanceMs } = u;
    tables.onlineTime.set(jid, { jid, totalMs, onlineSince, lastLogin, lastLogout, balanceMs });
  }
  // A session id starts at most once and stops at most once: a repeated row keeps the first.
  for (const s of changes.opened)
    if (!tables.openSessions.has(openKeyString(s.jid, s.sessionId))) insertOpen(tables, { ...s });
  for (const s of changes.finished) deleteOpen(tables, s.jid, s.sessionId);
  for (const s of changes.finished)
    if (!tables.sessionLog.has(s.sessionId)) tables.sessionLog.set(s.sessionId, { ...s });
  const id = partitionKeyString(key);
  tables.offsets.set(id, changes.nextOffset);
  if (changes.writer === undefined || changes.writer === null) tables.offsetWriters.delete(id);
  else tables.offsetWriters.set(id, changes.writer);
}

/** The accounting tables as a transaction sees them: committed rows plus its own staged saves. */
export function viewWith(
  tables: MemoryTables,
  key: PartitionKey,
  staged: readonly AccountingChanges[],
): MemoryTables {
  if (staged.length === 0) return tables;
  const view: MemoryTables = {
    ...tables,
    onlineTime: new Map(tables.onlineTime),
    openSessions: new Map(tables.openSessions),
    openByJid: new Map([...tables.openByJid].map(([jid, ofUser]) => [jid, new Map(ofUser)])),
    sessionLog: new Map(tables.sessionLog),
    offsets: new Map(tables.offsets),
    offsetWriters: new Map(tables.offsetWriters),
  };
  for (const changes of staged) applyChanges(view, key, changes);
  return view;
}

export function loadUserStates(tables: MemoryTables, jids: readonly string[]): Map<string, UserState> {
  const states = new Map<string, UserState>();
  for (const jid of jids) {
    const t = tables.onlineTime.get(jid);
    states.set(jid, {
      jid,
      totalMs: t?.totalMs ?? 0,
      onlineSince: t?.onlineSince ?? null,
      lastLogin: t?.lastLogin ?? null,
      lastLogout: t?.lastLogout ?? null,
      balanceMs: t?.balanceMs ?? null,
      open: [],
    });
  }
  for (const state of states.values()) {
    const ofUser = tables.openByJid.get(state.jid);
    if (ofUser) state.open = [...ofUser.values()].map((s) => ({ ...s })).sort(byStart);
  }
  return states;
}
