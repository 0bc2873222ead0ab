/**
 * Reads an ejabberd MySQL database for the importer: `users` (plaintext or SCRAM, with or without
 * `server_host` and `type`), `vcard`, and the original module's `youbao_onlinetime`. Read-only; every
 * value is a bound parameter; table and column names are constants of this file.
 */
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';

import { OnlinetimeError } from '@onlinetime/errors';

import { toStoreError } from '../mysql/errors.js';
import { parseMysqlUrl } from '../mysql/url.js';
import { interpretPasswordRow } from './passwords.js';
import { detectSchema, intOrNull, text, type Row } from './schema.js';
import type {
  EjabberdOnlineTime,
  EjabberdPassword,
  EjabberdSchema,
  EjabberdSource,
  EjabberdUser,
  EjabberdVcard,
} from './types.js';

const DEFAULT_PAGE = 1000;

function checkPage(pageSize: number): number {
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > 100_000) {
    throw new OnlinetimeError('EJABBERD_PAGE_INVALID', 'page size must be an integer in 1..100000');
  }
  return pageSize;
}

export async function openEjabberdSource(url: string): Promise<EjabberdSource> {
  const settings = parseMysqlUrl(url);
  let connection: Connection;
  try {
    connection = await createConnection({
      ...settings,
      charset: 'UTF8MB4_UNICODE_CI',
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
    });
  } catch (err) {
    throw toStoreError(err, 'ejabberd.connect');
  }
  let schema: EjabberdSchema;
  try {
    schema = await detectSchema(connection);
  } catch (err) {
    await connection.end().catch(() => undefined);
    throw toStoreError(err, 'ejabberd.schema');
  }

  async function select(operation: string, sql: string, params: unknown[]): Promise<Row[]> {
    try {
      const [rows] = await connection.query<RowDataPacket[]>(sql, params);
      return rows;
    } catch (err) {
      throw toStoreError(err, operation);
    }
  }

  /** Pages of distinct usernames of a table, for one host when the table has server_host. */
  async function* usernames(
    table: string,
    hostFilter: boolean,
    host: string,
    pageSize: number,
  ): AsyncGenerator<string[]> {
    let after = '';
    for (;;) {
      const rows = await select(
        `ejabberd.${table}.usernames`,
        `SELECT DISTINCT username FROM ${table} WHERE ${hostFilter ? 'server_host = ? AND ' : ''}username > ?
         ORDER BY username LIMIT ?`,
        hostFilter ? [host, after, pageSize] : [after, pageSize],
      );
      if (rows.length === 0) return;
      const names = rows.map((r) => text(r['username']));
      yield names;
      if (rows.length < pageSize) return;
      after = names[names.length - 1] as string;
    }
  }

  return {
    schema,
    async *users(host, pageSize = DEFAULT_PAGE) {
      const shape = schema.users;
      if (shape === null) return;
      const columns = [
        'username',
        'password',
        ...(shape.type ? ['type'] : []),
        ...(shape.scram ? ['serverkey', 'salt', 'iterationcount'] : []),
      ].join(', ');
      for await (const names of usernames('users', shape.serverHost, host, checkPage(pageSize))) {
        const rows = await select(
          'ejabberd.users.rows',
          `SELECT ${columns} FROM users WHERE ${shape.serverHost ? 'server_host = ? AND ' : ''}username IN (?)
           ORDER BY username${shape.type ? ', type' : ''}`,
          shape.serverHost ? [host, names] : [names],
        );
        const byName = new Map<string, { passwords: EjabberdPassword[]; problems: string[] }>();
        for (const name of names) byName.set(name, { passwords: [], problems: [] });
        for (const row of rows) {
          const name = text(row['username']);
          const entry = byName.get(name) ?? { passwords: [], problems: [] };
          byName.set(name, entry);
          const result = interpretPasswordRow({
            type: shape.type ? intOrNull(row['type']) : null,
            password: text(row['password']),
            serverkey: shape.scram ? text(row['serverkey']) : null,
            salt: shape.scram ? text(row['salt']) : null,
            iterationcount: shape.scram ? intOrNull(row['iterationcount']) : null,
          });
          if (typeof result === 'string') entry.problems.push(result);
          else entry.passwords.push(result);
        }
        const page: EjabberdUser[] = [];
        for (const [username, entry] of byName) page.push({ username, ...entry });
        yield page;
      }
    },
    async *vcards(host, pageSize = DEFAULT_PAGE) {
      const shape = schema.vcard;
      if (shape === null) return;
      const size = checkPage(pageSize);
      let after = '';
      for (;;) {
        const rows = await select(
          'ejabberd.vcard',
          `SELECT username, vcard FROM vcard WHERE ${shape.serverHost ? 'server_host = ? AND ' : ''}username > ?
           ORDER BY username LIMIT ?`,
          shape.serverHost ? [host, after, size] : [after, size],
        );
        if (rows.length === 0) return;
        const page: EjabberdVcard[] = rows.map((r) => ({
          username: text(r['username']),
          vcard: text(r['vcard']),
        }));
        yield page;
        if (rows.length < size) return;
        after = (page[page.length - 1] as EjabberdVcard).username;
      }
    },
    async *onlineTimes(host, pageSize = DEFAULT_PAGE) {
      const shape = schema.onlineTime;
      if (shape === null) return;
      for await (const names of usernames('youbao_onlinetime', shape.serverHost, host, checkPage(pageSize))) {
        const rows = await select(
          'ejabberd.youbao_onlinetime',
          `SELECT username, onlinetime FROM youbao_onlinetime
           WHERE ${shape.serverHost ? 'server_host = ? AND ' : ''}username IN (?) ORDER BY username`,
          shape.serverHost ? [host, names] : [names],
        );
        yield rows.map((r): EjabberdOnlineTime => ({
          username: text(r['username']),
          onlinetime: r['onlinetime'] === null ? null : text(r['onlinetime']),
        }));
      }
    },
    async close() {
      await connection.end();
    },
  };
}
