/**
 * Test fixture: an ejabberd-shaped MySQL database (tables as in ejabberd's sql/mysql.sql, plus the
 * original module's youbao_onlinetime) filled with the given rows. Not part of the built package
 * (src/**\/testing is excluded from dist); tests import it by path.
 */
import { createConnection } from 'mysql2/promise';

import { parseMysqlUrl } from '../../mysql/url.js';

export type EjabberdFixtureShape =
  /** users(username PK, password, serverkey, salt, iterationcount), vcard(username PK, vcard). */
  | 'single-host'
  /** new_sql_schema: server_host columns, keys (server_host, username). */
  | 'multi-host'
  /** ejabberd 24+: users(username, type, ...) keyed (username, type); no server_host. */
  | 'multi-hash'
  /** ejabberd before 16.03: users(username, password) only. */
  | 'plaintext-only';

export interface EjabberdFixture {
  readonly shape: EjabberdFixtureShape;
  readonly users: ReadonlyArray<{
    readonly username: string;
    readonly serverHost?: string;
    readonly type?: number;
    readonly password: string;
    readonly serverkey?: string;
    readonly salt?: string;
    readonly iterationcount?: number;
  }>;
  readonly vcards: ReadonlyArray<{
    readonly username: string;
    readonly serverHost?: string;
    readonly vcard: string;
  }>;
  readonly onlineTimes: ReadonlyArray<{
    readonly username: string;
    readonly onlinetime: number | string | null;
  }>;
}

const TABLE = 'ENGINE=InnoDB CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci';

function usersTable(shape: EjabberdFixtureShape): string {
  switch (shape) {
    case 'plaintext-only':
      return `CREATE TABLE users (username varchar(191) PRIMARY KEY, password text NOT NULL,
        created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP) ${TABLE}`;
    case 'single-host':
      return `CREATE TABLE users (username varchar(191) PRIMARY KEY, password text NOT NULL,
        serverkey varchar(128) NOT NULL DEFAULT '', salt varchar(128) NOT NULL DEFAULT '',
        iterationcount integer NOT NULL DEFAULT 0, created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP) ${TABLE}`;
    case 'multi-host':
      return `CREATE TABLE users (username varchar(191) NOT NULL, server_host varchar(191) NOT NULL,
        password text NOT NULL, serverkey varchar(128) NOT NULL DEFAULT '', salt varchar(128) NOT NULL DEFAULT '',
        iterationcount integer NOT NULL DEFAULT 0, created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
        PRIMARY KEY (server_host(191), username)) ${TABLE}`;
    case 'multi-hash':
      return `CREATE TABLE users (username varchar(191) NOT NULL, type smallint NOT NULL, password text NOT NULL,
        serverkey varchar(128) NOT NULL DEFAULT '', salt varchar(128) NOT NULL DEFAULT '',
        iterationcount integer NOT NULL DEFAULT 0, created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
        PRIMARY KEY (username, type)) ${TABLE}`;
  }
}

/** Creates the tables in `url`'s (empty, existing) database and inserts the rows. */
export async function writeEjabberdFixture(url: string, fixture: EjabberdFixture): Promise<void> {
  const conn = await createConnection({ ...parseMysqlUrl(url), charset: 'UTF8MB4_UNICODE_CI' });
  try {
    const hosts = fixture.shape === 'multi-host';
    await conn.query(usersTable(fixture.shape));
    await conn.query(
      hosts
        ? `CREATE TABLE vcard (username varchar(191) NOT NULL, server_host varchar(191) NOT NULL, vcard mediumtext NOT NULL,
             created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (server_host(191), username)) ${TABLE}`
        : `CREATE TABLE vcard (username varchar(191) PRIMARY KEY, vcard mediumtext NOT NULL,
             created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP) ${TABLE}`,
    );
    // The original module's table: no key, so duplicate rows can exist.
    await conn.query(
      `CREATE TABLE youbao_onlinetime (username varchar(191) NOT NULL, onlinetime varchar(32) NULL) ${TABLE}`,
    );
    for (const u of fixture.users) {
      const columns = ['username', 'password'];
      const values: unknown[] = [u.username, u.password];
      if (hosts) {
        columns.push('server_host');
        values.push(u.serverHost ?? '');
      }
      if (fixture.shape === 'multi-hash') {
        columns.push('type');
        values.push(u.type ?? 1);
      }
      if (fixture.shape !== 'plaintext-only') {
        columns.push('serverkey', 'salt', 'iterationcount');
        values.push(u.serverkey ?? '', u.salt ?? '', u.iterationcount ?? 0);
      }
      await conn.query(`INSERT INTO users (${columns.join(', ')}) VALUES (?)`, [values]);
    }
    for (const v of fixture.vcards) {
      if (hosts)
        await conn.query('INSERT INTO vcard (username, server_host, vcard) VALUES (?, ?, ?)', [
          v.username,
          v.serverHost ?? '',
          v.vcard,
        ]);
      else await conn.query('INSERT INTO vcard (username, vcard) VALUES (?, ?)', [v.username, v.vcard]);
    }
    for (const o of fixture.onlineTimes) {
      await conn.query('INSERT INTO youbao_onlinetime (username, onlinetime) VALUES (?, ?)', [
        o.username,
        o.onlinetime === null ? null : String(o.onlinetime),
      ]);
    }
  } finally {
    await conn.end();
  }
}
