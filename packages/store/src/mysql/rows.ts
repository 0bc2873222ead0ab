/** Column values as mysql2 returns them (BIGINT: a number when safe, else a decimal string). */
import { OnlinetimeError } from '@onlinetime/errors';

function corrupt(column: string): OnlinetimeError {
  return new OnlinetimeError('STORE_ROW_INVALID', `unexpected value in column ${column}`, {
    context: { column },
  });
}

export function msOf(row: Record<string, unknown>, column: string): number {
  const value = row[column];
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw corrupt(column);
  return n;
}

export function msOrNullOf(row: Record<string, unknown>, column: string): number | null {
  return row[column] === null ? null : msOf(row, column);
}

export function textOf(row: Record<string, unknown>, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw corrupt(column);
  return value;
}

export function textOrNullOf(row: Record<string, unknown>, column: string): string | null {
  return row[column] === null ? null : textOf(row, column);
}

export function bytesOf(row: Record<string, unknown>, column: string): Buffer {
  const value = row[column];
  if (!Buffer.isBuffer(value)) throw corrupt(column);
  return value;
}

/** Offsets stay decimal strings end to end (selected as CAST(next_offset AS CHAR)). */
export function offsetOrNullOf(row: Record<string, unknown>, column: string): string | null {
  const value = row[column];
  if (value === null) return null;
  if (typeof value === 'string' && /^[0-9]+$/.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw corrupt(column);
}
