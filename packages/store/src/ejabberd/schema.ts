/** Which ejabberd table shapes a database has (information_schema), and value helpers for its rows. */
import type { Connection, RowDataPacket } from 'mysql2/promise';

import { OnlinetimeError } from '@onlinetime/errors';

import type { EjabberdSchema } from './types.js';

export type Row = Record<string, unknown>;

export function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

export function intOrNull(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'number' ? value : Number(text(value));
  return Number.isFinite(n) ? n : null;
}

export async function detectSchema(connection: Connection): Promise<EjabberdSchema> {
  const [rows] = await connection.query<RowDataPacket[]>(
    `SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS
     WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?, ?, ?)`,
    ['users', 'vcard', 'youbao_onlinetime'],
  );
  const columns = new Map<string, Set<string>>();
  for (const row of rows) {
    const table = text(row['t']).toLowerCase();
    const set = columns.get(table) ?? new Set<string>();
    set.add(text(row['c']).toLowerCase());
    columns.set(table, set);
  }
  const need = (table: string, required: readonly string[]): Set<string> | null => {
    const set = columns.get(table);
    if (set === undefined) return null;
    const missing = required.filter((c) => !set.has(c));
    if (missing.length > 0) {
      throw new OnlinetimeError(
        'EJABBERD_SCHEMA_UNKNOWN',
        `ejabberd table ${table} has no column ${missing.join(', ')}`,
        {
          context: { table, missing },
        },
      );
    }
    return set;
  };
  const users = need('users', ['username', 'password']);
  const vcard = need('vcard', ['username', 'vcard']);
  const onlineTime = need('youbao_onlinetime', ['username', 'onlinetime']);
  return {
    users:
      users === null
        ? null
        : {
            serverHost: users.has('server_host'),
            type: users.has('type'),
            scram: users.has('serverkey') && users.has('salt') && users.has('iterationcount'),
          },
    vcard: vcard === null ? null : { serverHost: vcard.has('server_host') },
    onlineTime: onlineTime === null ? null : { serverHost: onlineTime.has('server_host') },
  };
}
