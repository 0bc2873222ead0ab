/**
 * The statements of one accounting transaction. Batch-shaped for the sessions worker: loadUsers is one
 * query, loadFinished one, save a handful of multi-row statements, whatever the batch size (up to the
 * chunk limits of sql.ts).
 */
import type { FinishedSession, OpenSession, UserState } from '@onlinetime/accounting';

import { transactionClosedError } from '../errors.js';
import { compareKeys } from '../order.js';
import type { AccountingChanges, AccountingTransaction, PartitionKey } from '../types.js';
import { checkChanges, checkLookup } from '../validate-records.js';
import { totalsOf } from './online-time.js';
import { msOf, msOrNullOf, textOf, textOrNullOf } from './rows.js';
import { insertRows, selectIn, type Db, type Param } from './sql.js';

export const OPEN_COLUMNS = 'session_id, jid, resource, edge_id, boot_id, ip, started_at';
/** online_time t LEFT JOIN open_sessions s: the totals, then the open session's columns (NULL: none). */
const USER_COLUMNS =
  't.jid, t.total_ms, t.online_since, t.last_login, t.last_logout, t.balance_ms, ' +
  's.session_id, s.resource, s.edge_id, s.boot_id, s.ip, s.started_at';

export function openSessionOf(row: Record<string, unknown>): OpenSession {
  return {
    sessionId: textOf(row, 'session_id'),
    jid: textOf(row, 'jid'),
    resource: textOf(row, 'resource'),
    edgeId: textOf(row, 'edge_id'),
    bootId: textOf(row, 'boot_id'),
    ip: textOrNullOf(row, 'ip'),
    startedAt: msOf(row, 'started_at'),
  };
}

export function finishedSessionOf(row: Record<string, unknown>): FinishedSession {
  return {
    sessionId: textOf(row, 'session_id'),
    jid: textOf(row, 'jid'),
    resource: textOf(row, 'resource'),
    edgeId: textOf(row, 'edge_id'),
    bootId: textOf(row, 'boot_id'),
    ip: textOrNullOf(row, 'ip'),
    startedAt: msOrNullOf(row, 'started_at'),
    stoppedAt: msOf(row, 'stopped_at'),
    reason: textOf(row, 'reason'),
  };
}

const openParams = (s: OpenSession): Param[] => [
  s.sessionId,
  s.jid,
  s.resource,
  s.edgeId,
  s.bootId,
  s.ip,
  s.startedAt,
];
const logParams = (s: FinishedSession): Param[] => [
  s.sessionId,
  s.jid,
  s.resource,
  s.edgeId,
  s.bootId,
  s.ip,
  s.startedAt,
  s.stoppedAt,
  s.reason,
];

/** Open sessions in start order (the order of the contract), as the memory store sorts them. */
function byStart(a: OpenSession, b: OpenSession): number {
  return a.startedAt - b.startedAt || compareKeys(a.sessionId, b.sessionId);
}

/**
 * Totals and open sessions of every user in one query: open_sessions is clustered by (jid,
 * session_id), so each user costs one primary-key read of online_time and one clustered range of
 * open_sessions. A user with open sessions always has an online_time row (save writes both, and so
 * does rebuild), so the LEFT JOIN from online_time misses none.
 */
async function loadUsers(db: Db, jids: readonly string[]): Promise<Map<string, UserState>> {
  const wanted = checkLookup('jids', jids);
  const states = new Map<string, UserState>(
    wanted.map((jid) => [
      jid,
      { jid, totalMs: 0, onlineSince: null, lastLogin: null, lastLogout: null, balanceMs: null, open: [] },
    ]),
  );
  const rows = await selectIn(
    db,
    'accounting.loadUsers',
    (list) =>
      `SELECT ${USER_COLUMNS} FROM online_time t LEFT JOIN open_sessions s ON s.jid = t.jid
       WHERE t.jid IN (${list})`,
    wanted,
  );
  const loaded = new Set<string>();
  for (const row of rows) {
    const jid = textOf(row, 'jid');
    const state = states.get(jid);
    if (state === undefined) continue;
    if (!loaded.has(jid)) {
      loaded.add(jid);
      Object.assign(state, { ...totalsOf(row), jid: state.jid });
    }
    if (row['session_id'] !== null) state.open.push(openSessionOf(row));
  }
  for (const state of states.values()) if (state.open.length > 1) state.open.sort(byStart);
  return states;
}

async function save(db: Db, key: PartitionKey, changes: AccountingChanges): Promise<void> {
  const now = Date.now();
  // VALUES(col) in ON DUPLICATE KEY UPDATE: MySQL 8.0.20+ deprecates it (with a warning) in favour of
  // the `AS new` row alias, but still accepts it; MariaDB 10.11 knows only VALUES(). One text for both.
  await insertRows(
    db,
    'accounting.save',
    (
      rows,
    ) => `INSERT INTO online_time (jid, total_ms, online_since, last_login, last_logout, balance_ms, updated_at)
      VALUES ${rows}
      ON DUPLICATE KEY UPDATE total_ms = VALUES(total_ms), online_since = VALUES(online_since),
        last_login = VALUES(last_login), last_logout = VALUES(last_logout), balance_ms = VALUES(balance_ms),
        updated_at = VALUES(updated_at)`,
    7,
    changes.users,
    (u) => [u.jid, u.totalMs, u.onlineSince, u.lastLogin, u.lastLogout, u.balanceMs, now],
  );
  // A session id starts and stops at most once: a repeated row keeps the first (no-op update).
  await insertRows(
    db,
    'accounting.save',
    (rows) => `INSERT INTO open_sessions (${OPEN_COLUMNS}) VALUES ${rows}
      ON DUPLICATE KEY UPDATE session_id = session_id`,
    7,
    changes.opened,
    openParams,
  );
  // Tombstones were never open; a session is deleted by its user and id (the primary key). A locking
  // statement must not scan: on a small table MariaDB plans a long `IN` list as a full scan, which
  // locks other partitions' rows in passing (lock waits, deadlocks). FORCE INDEX keeps it to the keys.
  await insertRows(
    db,
    'accounting.save',
    (rows) => `DELETE s FROM open_sessions s FORCE INDEX (PRIMARY) WHERE (s.jid, s.session_id) IN (${rows})`,
    2,
    changes.finished.filter((s) => s.startedAt !== null),
    (s) => [s.jid, s.sessionId],
  );
  await insertRows(
    db,
    'accounting.save',
    (rows) => `INSERT INTO session_log (${OPEN_COLUMNS}, stopped_at, reason) VALUES ${rows}
      ON DUPLICATE KEY UPDATE session_id = session_id`,
    9,
    changes.finished,
    logParams,
  );
  await db.modify(
    'accounting.save',
    `INSERT INTO consumer_offsets (group_id, topic, partition_id, next_offset, updated_at, writer)
     VALUES (?, ?, ?, ?, ?, ?)
     ON DUPLICATE KEY UPDATE next_offset = VALUES(next_offset), updated_at = VALUES(updated_at),
       writer = VALUES(writer)`,
    [key.groupId, key.topic, key.partition, changes.nextOffset, now, changes.writer ?? null],
  );
}

export interface MysqlTransaction {
  readonly tx: AccountingTransaction;
  /** Ends the handle: any later call throws STORE_TRANSACTION_CLOSED. */
  close(): void;
}

/** The partition's consumer_offsets row as locked at the start of a transaction. */
export interface StoredOffset {
  readonly offset: string | null;
  readonly writer: string | null;
}

export function createMysqlTransaction(db: Db, key: PartitionKey, stored: StoredOffset): MysqlTransaction {
  let open = true;
  const guard = (): void => {
    if (!open) throw transactionClosedError();
  };
  const tx: AccountingTransaction = {
    storedOffset: stored.offset,
    storedWriter: stored.writer,
    async loadUsers(jids) {
      guard();
      return loadUsers(db, jids);
    },
    async loadFinished(sessionIds) {
      guard();
      const wanted = checkLookup('sessionIds', sessionIds);
      const rows = await selectIn(
        db,
        'accounting.loadFinished',
        (list) => `SELECT session_id FROM session_log WHERE session_id IN (${list})`,
        wanted,
      );
      const found = new Set(rows.map((r) => textOf(r, 'session_id')));
      return new Set(wanted.filter((id) => found.has(id)));
    },
    async save(changes) {
      guard();
      await save(db, key, checkChanges(changes));
    },
  };
  return {
    tx,
    close() {
      open = false;
    },
  };
}
