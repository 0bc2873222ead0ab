import { existsSync } from 'node:fs';

/** Parsers for VariableSpec.parse: each throws with a message that says what is expected. */

export const string = (raw: string): string => raw;

export function integer(min: number, max: number): (raw: string) => number {
  return (raw) => {
    if (!/^-?\d+$/.test(raw)) throw new Error(`must be an integer between ${min} and ${max}`);
    const value = Number(raw);
    if (value < min || value > max) throw new Error(`must be an integer between ${min} and ${max}`);
    return value;
  };
}

export const port = integer(0, 65535);

export function list(raw: string): string[] {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) throw new Error('must be a comma-separated list with at least one item');
  return items;
}

export function oneOf<T extends string>(allowed: readonly T[]): (raw: string) => T {
  return (raw) => {
    if (!(allowed as readonly string[]).includes(raw))
      throw new Error(`must be one of ${allowed.join(', ')}`);
    return raw as T;
  };
}

export function boolean(raw: string): boolean {
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new Error('must be true or false');
}

export function file(raw: string): string {
  if (!existsSync(raw)) throw new Error('must name a readable file');
  return raw;
}

export function mysqlUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('must be a URL like mysql://user:password@host:3306/database');
  }
  if (url.protocol !== 'mysql:') throw new Error('must start with mysql://');
  if (url.pathname.length <= 1)
    throw new Error('must name a database, e.g. mysql://root@127.0.0.1:3306/onlinetime');
  return raw;
}

export function brokers(raw: string): string[] {
  const items = list(raw);
  for (const item of items) {
    if (!/^[^\s:]+:\d{1,5}$/.test(item)) throw new Error('must be host:port[,host:port…]');
  }
  return items;
}

export function identifier(raw: string): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(raw)) throw new Error('must be 1-64 characters of A-Z a-z 0-9 . _ -');
  return raw;
}
