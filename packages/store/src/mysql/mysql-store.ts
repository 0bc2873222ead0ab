/** The Store on MySQL 8.x / MariaDB 10.11 through one mysql2 connection pool. */
import type { Logger } from '@onlinetime/logging';
import { createPool, type PoolConnection } from 'mysql2/promise';

import { storeClosedError } from '../errors.js';
import type { Store } from '../types.js';
import { checkInt } from '../validate-values.js';
import { createMysqlAccounting } from './accounting.js';
import { createMysqlEdges } from './edges.js';
import { toStoreError } from './errors.js';
import { createMysqlOnlineTime } from './online-time.js';
import { createDb } from './sql.js';
import { parseMysqlUrl } from './url.js';
import { createMysqlUsers } from './users.js';
import { createMysqlVcards } from './vcards.js';

export interface MysqlStoreOptions {
  /** mysql://user:password@host:port/database (the database must exist and be migrated). */
  readonly url: string;
  readonly logger?: Logger;
  /** Connections in the pool (default 10). */
  readonly poolSize?: number;
  /** innodb_lock_wait_timeout for accounting transactions, in seconds (default: the server's, 50). */
  readonly lockWaitTimeoutSeconds?: number;
}

/** Creates the pool; no connection is opened before the first query. */
export function createMysqlStore(options: MysqlStoreOptions): Store {
  const settings = parseMysqlUrl(options.url);
  const poolSize = checkInt('poolSize', options.poolSize ?? 10, 1, 1000);
  const lockWait =
    options.lockWaitTimeoutSeconds === undefined
      ? undefined
      : checkInt('lockWaitTimeoutSeconds', options.lockWaitTimeoutSeconds, 1, 3600);
  const pool = createPool({
    ...settings,
    connectionLimit: poolSize,
    waitForConnections: true,
    // BIGINT epoch ms and counts arrive as numbers when safe integers (they always are), as strings
    // otherwise (rows.ts rejects those). Offsets are selected as CAST(... AS CHAR): exact beyond 2^53.
    supportBigNumbers: true,
    bigNumberStrings: false,
    charset: 'UTF8MB4_UNICODE_CI',
    // Bounded by the power-of-two statement shapes of sql.ts; evicted statements are closed.
    maxPreparedStatements: 256,
    enableKeepAlive: true,
    connectTimeout: 10_000,
  });
  let closed = false;
  const assertOpen = (): void => {
    if (closed) throw storeClosedError();
  };
  const db = createDb(pool, assertOpen);
  const prepared = new WeakSet<object>();

  /**
   * READ COMMITTED for accounting transactions: the offset row lock already serialises a partition,
   * and without REPEATABLE READ's gap locks the transactions of different partitions (disjoint users)
   * do not deadlock on each other's index gaps. Both servers accept this statement form.
   */
  async function prepare(conn: PoolConnection): Promise<void> {
    if (prepared.has(conn.connection)) return;
    try {
      await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
      if (lockWait !== undefined) await conn.query('SET SESSION innodb_lock_wait_timeout = ?', [lockWait]);
    } catch (err) {
      throw toStoreError(err, 'accounting.prepare');
    }
    prepared.add(conn.connection);
  }

  return {
    users: createMysqlUsers(db),
    vcards: createMysqlVcards(db),
    onlineTime: createMysqlOnlineTime(db),
    accounting: createMysqlAccounting({ pool, db, assertOpen, prepare, logger: options.logger }),
    edges: createMysqlEdges(db),
    async ping() {
      assertOpen();
      try {
        await pool.query('SELECT 1');
      } catch (err) {
        throw toStoreError(err, 'ping');
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
      options.logger?.debug({ host: settings.host, database: settings.database }, 'mysql pool closed');
    },
  };
}
