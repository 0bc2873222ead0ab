/**
 * Statement helpers. Every value travels as a bound parameter of a server-side prepared statement
 * (mysql2 `execute`); statement text is built only from our constants and placeholder counts.
 *
 * Multi-row statements come in power-of-two row counts (1, 2, 4, ... MAX_ROWS), so each statement kind
 * has at most log2(MAX_ROWS)+1 distinct texts: mysql2's per-connection statement cache stays hot and the
 * server's max_prepared_stmt_count is never approached, whatever the batch sizes.
 */
import { OnlinetimeError } from '@onlinetime/errors';
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';

import { toStoreError } from './errors.js';

export type Param = string | number | Buffer | null;

/** Rows per multi-row INSERT: 512 rows x 10 columns stays far below the 65,535 placeholder limit. */
export const MAX_ROWS = 512;
/** Values per IN (...) list. */
export const MAX_IN = 1024;

export interface Db {
  select(operation: string, sql: string, params: readonly Param[]): Promise<RowDataPacket[]>;
  modify(operation: string, sql: string, params: readonly Param[]): Promise<ResultSetHeader>;
}

export function createDb(target: Pool | PoolConnection, beforeEach: () => void = () => {}): Db {
  return {
    async select(operation, sql, params) {
      beforeEach();
      try {
        const [rows] = await target.execute<RowDataPacket[]>(sql, params as Param[]);
        return rows;
      } catch (err) {
        throw toStoreError(err, operation);
      }
    },
    async modify(operation, sql, params) {
      beforeEach();
      try {
        const [result] = await target.execute<ResultSetHeader>(sql, params as Param[]);
        return result;
      } catch (err) {
        throw toStoreError(err, operation);
      }
    },
  };
}

function largestPowerOfTwoAtMost(n: number): number {
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

/** Splits rows into chunks of power-of-two sizes, at most MAX_ROWS each, keeping their order. */
export function rowChunks<T>(rows: readonly T[]): T[][] {
  const chunks: T[][] = [];
  let i = 0;
  while (i < rows.length) {
    const size = largestPowerOfTwoAtMost(Math.min(rows.length - i, MAX_ROWS));
    chunks.push(rows.slice(i, i + size));
    i += size;
  }
  return chunks;
}

/** Splits values for IN (...) lists, padding each chunk to a power of two by repeating its last value. */
export function inChunks(values: readonly string[]): string[][] {
  const chunks: string[][] = [];
  for (let i = 0; i < values.length; i += MAX_IN) {
    const chunk = values.slice(i, i + MAX_IN);
    const last = chunk[chunk.length - 1] as string;
    let size = 1;
    while (size < chunk.length) size *= 2;
    while (chunk.length < size) chunk.push(last);
    chunks.push(chunk);
  }
  return chunks;
}

export function placeholders(count: number): string {
  return new Array<string>(count).fill('?').join(', ');
}

export function rowPlaceholders(rows: number, columns: number): string {
  const row = `(${placeholders(columns)})`;
  return new Array<string>(rows).fill(row).join(', ');
}

/** Runs `SELECT ... WHERE column IN (?...)` over chunks of `values` and concatenates the rows. */
export async function selectIn(
  db: Db,
  operation: string,
  sqlWithList: (list: string) => string,
  values: readonly string[],
): Promise<RowDataPacket[]> {
  const all: RowDataPacket[] = [];
  for (const chunk of inChunks(values)) {
    all.push(...(await db.select(operation, sqlWithList(placeholders(chunk.length)), chunk)));
  }
  return all;
}

/** Runs a multi-row statement over power-of-two chunks; `toParams` flattens one row. */
export async function insertRows<T>(
  db: Db,
  operation: string,
  sqlWithRows: (rows: string) => string,
  columns: number,
  rows: readonly T[],
  toParams: (row: T) => Param[],
): Promise<void> {
  for (const chunk of rowChunks(rows)) {
    // One array filled in place: flatMap built a second array per call and was ~4% of the sessions
    // worker's CPU (512 rows x 9 parameters per statement).
    const params = new Array<Param>(chunk.length * columns);
    let at = 0;
    for (const row of chunk) {
      const values = toParams(row);
      if (values.length !== columns)
        throw new OnlinetimeError(
          'STORE_BAD_ROW',
          `${operation}: a row has ${values.length} values, not ${columns}`,
        );
      for (const value of values) params[at++] = value;
    }
    await db.modify(operation, sqlWithRows(rowPlaceholders(chunk.length, columns)), params);
  }
}
