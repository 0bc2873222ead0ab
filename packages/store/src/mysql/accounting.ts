/**
 * AccountingRepository on MySQL. inPartitionTransaction locks the partition's consumer_offsets row
 * (SELECT ... FOR UPDATE) for the whole transaction, so two workers that both believe they own a
 * partition are serialised: the second sees the first one's offset and skips what it applied.
 */
import { OnlinetimeError } from '@onlinetime/errors';
import type { Logger } from '@onlinetime/logging';
import type { FinishedSession, OpenSession } from '@onlinetime/accounting';
import type { Pool, PoolConnection } from 'mysql2/promise';

import type { AccountingRepository, AccountingTransaction, PartitionKey } from '../types.js';
import { checkLimit, checkPartitionKey } from '../validate-records.js';
import { checkLookupKey } from '../validate-values.js';
import {
  OPEN_COLUMNS,
  createMysqlTransaction,
  finishedSessionOf,
  openSessionOf,
  type MysqlTransaction,
  type StoredOffset,
} from './accounting-tx.js';
import { isFatal, toStoreError } from './errors.js';
import { msOf, offsetOrNullOf, textOf, textOrNullOf } from './rows.js';
import { createDb, type Db } from './sql.js';

export interface MysqlAccountingDeps {
  readonly pool: Pool;
  readonly db: Db;
  readonly assertOpen: () => void;
  /** Session setup of a pooled connection before its first transaction (isolation, lock wait). */
  readonly prepare: (conn: PoolConnection) => Promise<void>;
  readonly logger?: Logger | undefined;
}

async function control(conn: PoolConnection, operation: string, sql: string): Promise<void> {
  try {
    await conn.query(sql);
  } catch (err) {
    throw toStoreError(err, operation);
  }
}

export function createMysqlAccounting(deps: MysqlAccountingDeps): AccountingRepository {
  const { pool, db, assertOpen, logger } = deps;
  /** Partitions whose offset row is known to exist (rows are never deleted by this code). */
  const rowExists = new Set<string>();

  /** Opens the transaction and locks the offset row, creating it first (committed) when missing. */
  async function begin(
    conn: PoolConnection,
    cdb: Db,
    key: PartitionKey,
    began: () => void,
  ): Promise<StoredOffset> {
    const id = JSON.stringify([key.groupId, key.topic, key.partition]);
    const where = [key.groupId, key.topic, key.partition];
    for (let attempt = 1; ; attempt += 1) {
      if (!rowExists.has(id)) {
        // Outside the transaction: two workers inserting the same missing row inside theirs would
        // deadlock on gap locks. The no-op update leaves an existing row alone.
        await cdb.modify(
          'accounting.begin',
          `INSERT INTO consumer_offsets (group_id, topic, partition_id, next_offset, updated_at)
           VALUES (?, ?, ?, NULL, ?) ON DUPLICATE KEY UPDATE group_id = group_id`,
          [...where, Date.now()],
        );
        rowExists.add(id);
      }
      await control(conn, 'accounting.begin', 'START TRANSACTION');
      began();
      const rows = await cdb.select(
        'accounting.begin',
        `SELECT group_id, topic, CAST(next_offset AS CHAR) AS next_offset, writer FROM consumer_offsets
         WHERE group_id = ? AND topic = ? AND partition_id = ? FOR UPDATE`,
        where,
      );
      const row = rows.find((r) => r['group_id'] === key.groupId && r['topic'] === key.topic);
      if (row) return { offset: offsetOrNullOf(row, 'next_offset'), writer: textOrNullOf(row, 'writer') };
      // Someone deleted the row (an offset reset): create it again, once.
      await control(conn, 'accounting.begin', 'ROLLBACK');
      rowExists.delete(id);
      if (attempt === 2) {
        throw new OnlinetimeError(
          'STORE_OFFSET_ROW_MISSING',
          'consumer_offsets row vanished twice while locking',
          {
            retriable: true,
            context: { ...key },
          },
        );
      }
    }
  }

  async function inPartitionTransaction<T>(
    rawKey: PartitionKey,
    work: (tx: AccountingTransaction) => Promise<T>,
  ): Promise<T> {
    assertOpen();
    const key = checkPartitionKey(rawKey);
    let conn: PoolConnection;
    try {
      conn = await pool.getConnection();
    } catch (err) {
      throw toStoreError(err, 'accounting.connect');
    }
    const cdb = createDb(conn, assertOpen);
    let inTransaction = false;
    let broken = false;
    let handle: MysqlTransaction | undefined;
    try {
      await deps.prepare(conn);
      const stored = await begin(conn, cdb, key, () => {
        inTransaction = true;
      });
      handle = createMysqlTransaction(cdb, key, stored);
      const result = await work(handle.tx);
      handle.close();
      await control(conn, 'accounting.commit', 'COMMIT');
      inTransaction = false;
      return result;
    } catch (err) {
      handle?.close();
      if (isFatal(err)) broken = true;
      if (inTransaction && !broken) {
        try {
          await conn.query('ROLLBACK');
        } catch (rollbackErr) {
          broken = true;
          logger?.warn({ err: rollbackErr, ...key }, 'rollback failed; dropping the connection');
        }
      }
      throw err;
    } finally {
      if (broken) conn.destroy();
      else conn.release();
    }
  }

  return {
    inPartitionTransaction,
    async openSessionsOfBoot(edgeId, bootId): Promise<OpenSession[]> {
      const [edge, boot] = [checkLookupKey('edgeId', edgeId), checkLookupKey('bootId', bootId)];
      const rows = await db.select(
        'accounting.openSessionsOfBoot',
        `SELECT ${OPEN_COLUMNS} FROM open_sessions WHERE edge_id = ? AND boot_id = ? ORDER BY started_at, session_id`,
        [edge, boot],
      );
      return rows.map(openSessionOf).filter((s) => s.edgeId === edge && s.bootId === boot);
    },
    async openBoots() {
      const rows = await db.select(
        'accounting.openBoots',
        `SELECT edge_id, boot_id, COUNT(*) AS sessions FROM open_sessions
         GROUP BY edge_id, boot_id ORDER BY edge_id, boot_id`,
        [],
      );
      return rows.map((r) => ({
        edgeId: textOf(r, 'edge_id'),
        bootId: textOf(r, 'boot_id'),
        sessions: msOf(r, 'sessions'),
      }));
    },
    async sessionLog(jid, limit): Promise<FinishedSession[]> {
      const user = checkLookupKey('jid', jid);
      const max = checkLimit('limit', limit, 100_000);
      const rows = await db.select(
        'accounting.sessionLog',
        `SELECT ${OPEN_COLUMNS}, stopped_at, reason FROM session_log WHERE jid = ?
         ORDER BY stopped_at DESC, session_id DESC LIMIT ?`,
        [user, max],
      );
      return rows.map(finishedSessionOf).filter((s) => s.jid === user);
    },
  };
}
