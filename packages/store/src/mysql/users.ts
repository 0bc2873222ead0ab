/** UsersRepository on the users table (SCRAM keys per mechanism, never a password). */
import { userExistsError } from '../errors.js';
import type { ScramKeys, UserCredentials, UsersRepository } from '../types.js';
import { checkCredentials, checkLookup } from '../validate-records.js';
import { checkLookupKey } from '../validate-values.js';
import { isDuplicateKey } from './errors.js';
import { bytesOf, msOf, textOf } from './rows.js';
import { selectIn, type Db, type Param } from './sql.js';

const KEY_COLUMNS =
  'sha1_salt, sha1_iterations, sha1_stored_key, sha1_server_key, ' +
  'sha256_salt, sha256_iterations, sha256_stored_key, sha256_server_key';

function keysOf(row: Record<string, unknown>, prefix: string): ScramKeys {
  return {
    salt: bytesOf(row, `${prefix}_salt`),
    iterations: msOf(row, `${prefix}_iterations`),
    storedKey: bytesOf(row, `${prefix}_stored_key`),
    serverKey: bytesOf(row, `${prefix}_server_key`),
  };
}

function credentialsOf(jid: string, row: Record<string, unknown>): UserCredentials {
  return { jid, scram: { 'SCRAM-SHA-1': keysOf(row, 'sha1'), 'SCRAM-SHA-256': keysOf(row, 'sha256') } };
}

function keyParams(c: UserCredentials): Param[] {
  const params: Param[] = [];
  for (const mechanism of ['SCRAM-SHA-1', 'SCRAM-SHA-256'] as const) {
    const k = c.scram[mechanism];
    params.push(k.salt, k.iterations, k.storedKey, k.serverKey);
  }
  return params;
}

/** LIKE pattern matching a literal suffix: '!' escapes itself, '%' and '_' (no backslash games). */
function suffixPattern(suffix: string): string {
  return `%${suffix.replace(/[!%_]/g, (c) => `!${c}`)}`;
}

export function createMysqlUsers(db: Db): UsersRepository {
  return {
    async getCredentials(jid) {
      const key = checkLookupKey('jid', jid);
      const rows = await db.select(
        'users.getCredentials',
        `SELECT jid, ${KEY_COLUMNS} FROM users WHERE jid = ?`,
        [key],
      );
      // utf8mb4_bin pads with spaces: only an exact match counts.
      const row = rows.find((r) => r['jid'] === key);
      return row ? credentialsOf(key, row) : null;
    },
    async getCredentialsMany(jids) {
      const wanted = new Set(checkLookup('jids', jids));
      const found = new Map<string, UserCredentials>();
      if (wanted.size === 0) return found;
      const rows = await selectIn(
        db,
        'users.getCredentialsMany',
        (list) => `SELECT jid, ${KEY_COLUMNS} FROM users WHERE jid IN (${list})`,
        [...wanted],
      );
      for (const row of rows) {
        // utf8mb4_bin pads with spaces ('a ' finds 'a'): only exact matches count.
        const jid = textOf(row, 'jid');
        if (wanted.has(jid) && !found.has(jid)) found.set(jid, credentialsOf(jid, row));
      }
      return found;
    },
    async add(credentials) {
      const c = checkCredentials(credentials);
      const now = Date.now();
      try {
        await db.modify(
          'users.add',
          `INSERT INTO users (jid, ${KEY_COLUMNS}, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [c.jid, ...keyParams(c), now, now],
        );
      } catch (err) {
        if (isDuplicateKey((err as { cause?: unknown }).cause)) throw userExistsError(c.jid);
        throw err;
      }
    },
    async setCredentials(credentials, options) {
      const c = checkCredentials(credentials);
      const now = Date.now();
      if (options?.upsert === true) {
        // VALUES(col) rather than MySQL 8.0.19's row alias: MariaDB 10.11 has no alias syntax.
        await db.modify(
          'users.setCredentials',
          `INSERT INTO users (jid, ${KEY_COLUMNS}, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON DUPLICATE KEY UPDATE
             sha1_salt = VALUES(sha1_salt), sha1_iterations = VALUES(sha1_iterations),
             sha1_stored_key = VALUES(sha1_stored_key), sha1_server_key = VALUES(sha1_server_key),
             sha256_salt = VALUES(sha256_salt), sha256_iterations = VALUES(sha256_iterations),
             sha256_stored_key = VALUES(sha256_stored_key), sha256_server_key = VALUES(sha256_server_key),
             updated_at = VALUES(updated_at)`,
          [c.jid, ...keyParams(c), now, now],
        );
        return true;
      }
      // mysql2 sets CLIENT_FOUND_ROWS: affectedRows counts matched rows, changed or not.
      const result = await db.modify(
        'users.setCredentials',
        `UPDATE users SET sha1_salt = ?, sha1_iterations = ?, sha1_stored_key = ?, sha1_server_key = ?,
           sha256_salt = ?, sha256_iterations = ?, sha256_stored_key = ?, sha256_server_key = ?, updated_at = ?
         WHERE jid = ?`,
        [...keyParams(c), now, c.jid],
      );
      return result.affectedRows > 0;
    },
    async remove(jid) {
      const key = checkLookupKey('jid', jid);
      // Keys never end in a space (checkKey), so a key that does matches no stored row exactly.
      if (key.endsWith(' ')) return false;
      const result = await db.modify('users.remove', 'DELETE FROM users WHERE jid = ?', [key]);
      return result.affectedRows > 0;
    },
    async list(domain) {
      if (domain === undefined) {
        const rows = await db.select('users.list', 'SELECT jid FROM users ORDER BY jid', []);
        return rows.map((r) => textOf(r, 'jid'));
      }
      const suffix = `@${checkLookupKey('domain', domain)}`;
      const rows = await db.select(
        'users.list',
        "SELECT jid FROM users WHERE jid LIKE ? ESCAPE '!' ORDER BY jid",
        [suffixPattern(suffix)],
      );
      return rows.map((r) => textOf(r, 'jid')).filter((jid) => jid.endsWith(suffix));
    },
    async existing(jids) {
      const wanted = checkLookup('jids', jids);
      const rows = await selectIn(
        db,
        'users.existing',
        (list) => `SELECT jid FROM users WHERE jid IN (${list})`,
        wanted,
      );
      const found = new Set(rows.map((r) => textOf(r, 'jid')));
      return new Set(wanted.filter((jid) => found.has(jid)));
    },
  };
}
