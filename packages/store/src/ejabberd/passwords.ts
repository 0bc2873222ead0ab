import type { EjabberdHash, EjabberdPassword } from './types.js';

/** One row of ejabberd's `users` table, as selected (optional columns absent in older schemas). */
export interface EjabberdPasswordRow {
  readonly type: number | null;
  readonly password: string;
  readonly serverkey: string | null;
  readonly salt: string | null;
  readonly iterationcount: number | null;
}

/** ejabberd_auth_sql: type 1 plain, 2 sha, 3 sha256, 4 sha512 (multi-hash schema). */
const TYPE_HASH: Readonly<Record<number, EjabberdHash | 'plain'>> = {
  1: 'plain',
  2: 'sha1',
  3: 'sha256',
  4: 'sha512',
};

/** Older schemas mark a non-SHA-1 StoredKey with a `sha256:` / `sha512:` prefix in `password`. */
function splitPrefix(stored: string): { hash: EjabberdHash; key: string } {
  if (stored.startsWith('sha256:')) return { hash: 'sha256', key: stored.slice(7) };
  if (stored.startsWith('sha512:')) return { hash: 'sha512', key: stored.slice(7) };
  return { hash: 'sha1', key: stored };
}

/**
 * Reads one row the way ejabberd does: without `type`, a row whose serverkey, salt and iteration count
 * are empty holds a plaintext password; otherwise `password` holds the base64 StoredKey. Returns a
 * string naming the problem when the row cannot be used.
 */
export function interpretPasswordRow(row: EjabberdPasswordRow): EjabberdPassword | string {
  const declared = row.type === null ? undefined : TYPE_HASH[row.type];
  if (row.type !== null && declared === undefined) return `unknown password type ${row.type}`;
  const scramEmpty =
    (row.serverkey ?? '') === '' && (row.salt ?? '') === '' && (row.iterationcount ?? 0) === 0;
  if (declared === 'plain' || (declared === undefined && scramEmpty)) {
    if (row.password === '') return 'empty plaintext password';
    return { kind: 'plain', password: row.password };
  }
  const { hash: prefixed, key } = splitPrefix(row.password);
  const hash = declared ?? prefixed;
  if (declared !== undefined && prefixed !== 'sha1' && prefixed !== declared) {
    return `password type ${row.type} (${declared}) disagrees with the ${prefixed}: prefix of the stored key`;
  }
  const iterations = row.iterationcount ?? 0;
  if (!Number.isSafeInteger(iterations) || iterations < 1)
    return `SCRAM row with iteration count ${iterations}`;
  if (key === '' || (row.serverkey ?? '') === '' || (row.salt ?? '') === '') {
    return 'SCRAM row with an empty stored key, server key or salt';
  }
  return {
    kind: 'scram',
    hash,
    storedKey: key,
    serverKey: row.serverkey ?? '',
    salt: row.salt ?? '',
    iterations,
  };
}
