/** Database lifecycle for setup scripts and tests: the name cannot be a placeholder, so it is validated. */
import { createConnection } from 'mysql2/promise';

import { toStoreError } from './errors.js';
import { checkDatabaseName, parseMysqlUrl } from './url.js';

async function onServer(url: string, operation: string, statement: (name: string) => string): Promise<void> {
  const { database, ...server } = parseMysqlUrl(url);
  const sql = statement(checkDatabaseName(database));
  try {
    const conn = await createConnection({ ...server, charset: 'UTF8MB4_UNICODE_CI' });
    try {
      await conn.query(sql);
    } finally {
      await conn.end();
    }
  } catch (err) {
    throw toStoreError(err, operation);
  }
}

/** CREATE DATABASE IF NOT EXISTS, utf8mb4 with binary (code point) collation by default. */
export async function createDatabaseIfMissing(url: string): Promise<void> {
  await onServer(
    url,
    'createDatabaseIfMissing',
    (name) => `CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
  );
}

/** DROP DATABASE IF EXISTS (tests and scratch databases). */
export async function dropDatabase(url: string): Promise<void> {
  await onServer(url, 'dropDatabase', (name) => `DROP DATABASE IF EXISTS \`${name}\``);
}
