/**
 * The MySQL side of `onlinetime rebuild`: fresh copies of the derived tables are filled from a replay
 * of the log, then swapped in with ONE `RENAME TABLE` statement (atomic on MySQL 8 and MariaDB 10.11:
 * readers see either every old table or every new one), and the old ones are dropped.
 */
import { createPool, type Pool } from 'mysql2/promise';

import type { FinishedSession, OpenSession, UserState } from '@onlinetime/accounting';
import { OnlinetimeError } from '@onlinetime/errors';

import { toStoreError } from '../mysql/errors.js';
import { offsetOrNullOf } from '../mysql/rows.js';
import { createDb, insertRows, type Db } from '../mysql/sql.js';
import { parseMysqlUrl } from '../mysql/url.js';
import { checkFinishedSession, checkOpenSession } from '../validate-records.js';
import { checkKey, checkMs, checkMsOrNull, checkOffset } from '../validate-values.js';

/** The tables a replay of xmpp.sessions rebuilds (users, vcards and edge_boots are not derived from it). */
export const REBUILT_TABLES = ['online_time', 'open_sessions', 'session_log', 'consumer_offsets'] as const;

export interface RebuildTarget {
  /** Creates empty `<table>_new` tables like the live ones, dropping leftovers of an interrupted run. */
  prepare(): Promise<void>;
  /** session_log rows (finished sessions and tombstones). */
  addFinished(rows: readonly FinishedSession[]): Promise<void>;
  /** online_time rows of these users and open_sessions rows of their open sessions. */
  addUsers(states: readonly UserState[]): Promise<void>;
  /**
   * Fills consumer_offsets_new: every live row of other (group, topic) pairs, plus `offsets` (next
   * offset per partition) for this group and topic. Call it right before `swap`.
   */
  setOffsets(groupId: string, topic: string, offsets: ReadonlyMap<number, string>): Promise<void>;
  /** Next offsets recorded in the LIVE consumer_offsets (to notice a worker writing during the rebuild). */
  readOffsets(groupId: string, topic: string): Promise<Map<number, string | null>>;
  /** One atomic RENAME TABLE (live -> `_old`, `_new` -> live), then DROP of the `_old` tables. */
  swap(): Promise<void>;
  /** Drops the `_new` tables (after a failure or a refusal). */
  discard(): Promise<void>;
  close(): Promise<void>;
}

/** Next offsets recorded by a consumer group in consumer_offsets (null: a row locked, nothing applied). */
export async function readRecordedOffsets(
  url: string,
  groupId: string,
  topic: string,
): Promise<Map<number, string | null>> {
  const pool = openPool(url);
  try {
    return await recordedOffsets(createDb(pool), groupId, topic);
  } finally {
    await pool.end();
  }
}

function openPool(url: string): Pool {
  return createPool({
    ...parseMysqlUrl(url),
    connectionLimit: 2,
    charset: 'UTF8MB4_UNICODE_CI',
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
}

async function recordedOffsets(db: Db, groupId: string, topic: string): Promise<Map<number, string | null>> {
  const rows = await db.select(
    'rebuild.readOffsets',
    'SELECT partition_id, next_offset FROM consumer_offsets WHERE group_id = ? AND topic = ?',
    [groupId, topic],
  );
  return new Map(rows.map((r) => [Number(r['partition_id']), offsetOrNullOf(r, 'next_offset')]));
}

export async function openRebuildTarget(url: string): Promise<RebuildTarget> {
  const pool = openPool(url);
  const db = createDb(pool);
  const ddl = async (operation: string, sql: string): Promise<void> => {
    try {
      await pool.query(sql);
    } catch (err) {
      throw toStoreError(err, operation);
    }
  };
  const dropNew = (): Promise<void> =>
    ddl('rebuild.discard', `DROP TABLE IF EXISTS ${REBUILT_TABLES.map((t) => `${t}_new`).join(', ')}`);
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw toStoreError(err, 'rebuild.connect');
  }

  return {
    async prepare() {
      await dropNew();
      await ddl(
        'rebuild.prepare',
        `DROP TABLE IF EXISTS ${REBUILT_TABLES.map((t) => `${t}_old`).join(', ')}`,
      );
      for (const table of REBUILT_TABLES)
        await ddl('rebuild.prepare', `CREATE TABLE ${table}_new LIKE ${table}`);
    },
    async addFinished(rows) {
      const checked = rows.map((row, i) => checkFinishedSession(`finished[${i}]`, row));
      await insertRows(
        db,
        'rebuild.sessionLog',
        (values) =>
          `INSERT INTO session_log_new (session_id, jid, resource, edge_id, boot_id, ip, started_at, stopped_at, reason)
           VALUES ${values}`,
        9,
        checked,
        (s) => [s.sessionId, s.jid, s.resource, s.edgeId, s.bootId, s.ip, s.startedAt, s.stoppedAt, s.reason],
      );
    },
    async addUsers(states) {
      const now = Date.now();
      const users = states.map((s, i) => ({
        jid: checkKey(`users[${i}].jid`, s.jid),
        totalMs: checkMs(`users[${i}].totalMs`, s.totalMs),
        onlineSince: checkMsOrNull(`users[${i}].onlineSince`, s.onlineSince),
        lastLogin: checkMsOrNull(`users[${i}].lastLogin`, s.lastLogin),
        lastLogout: checkMsOrNull(`users[${i}].lastLogout`, s.lastLogout),
        balanceMs: checkMsOrNull(`users[${i}].balanceMs`, s.balanceMs),
      }));
      await insertRows(
        db,
        'rebuild.onlineTime',
        (values) =>
          `INSERT INTO online_time_new (jid, total_ms, online_since, last_login, last_logout, balance_ms, updated_at)
           VALUES ${values}`,
        7,
        users,
        (u) => [u.jid, u.totalMs, u.onlineSince, u.lastLogin, u.lastLogout, u.balanceMs, now],
      );
      const open: OpenSession[] = states
        .flatMap((s) => s.open)
        .map((o, i) => checkOpenSession(`open[${i}]`, o));
      await insertRows(
        db,
        'rebuild.openSessions',
        (values) =>
          `INSERT INTO open_sessions_new (session_id, jid, resource, edge_id, boot_id, ip, started_at) VALUES ${values}`,
        7,
        open,
        (o) => [o.sessionId, o.jid, o.resource, o.edgeId, o.bootId, o.ip, o.startedAt],
      );
    },
    async setOffsets(groupId, topic, offsets) {
      const group = checkKey('groupId', groupId);
      const topicName = checkKey('topic', topic, 249);
      const rows = [...offsets].map(([partition, offset]) => {
        if (!Number.isInteger(partition) || partition < 0) {
          throw new OnlinetimeError('STORE_INVALID_VALUE', `invalid partition ${partition}`);
        }
        return { partition, offset: checkOffset(`offsets[${partition}]`, offset) };
      });
      const now = Date.now();
      await db.modify('rebuild.offsets', 'DELETE FROM consumer_offsets_new', []);
      await db.modify(
        'rebuild.offsets',
        `INSERT INTO consumer_offsets_new (group_id, topic, partition_id, next_offset, updated_at)
         SELECT group_id, topic, partition_id, next_offset, updated_at FROM consumer_offsets
         WHERE NOT (group_id = ? AND topic = ?)`,
        [group, topicName],
      );
      await insertRows(
        db,
        'rebuild.offsets',
        (values) =>
          `INSERT INTO consumer_offsets_new (group_id, topic, partition_id, next_offset, updated_at) VALUES ${values}`,
        5,
        rows,
        (r) => [group, topicName, r.partition, r.offset, now],
      );
    },
    readOffsets: (groupId, topic) => recordedOffsets(db, groupId, topic),
    async swap() {
      const renames = REBUILT_TABLES.flatMap((t) => [`${t} TO ${t}_old`, `${t}_new TO ${t}`]);
      await ddl('rebuild.swap', `RENAME TABLE ${renames.join(', ')}`);
      await ddl(
        'rebuild.dropOld',
        `DROP TABLE IF EXISTS ${REBUILT_TABLES.map((t) => `${t}_old`).join(', ')}`,
      );
    },
    discard: dropNew,
    async close() {
      await pool.end();
    },
  };
}
