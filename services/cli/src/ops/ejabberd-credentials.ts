import { randomBytes } from 'node:crypto';

import { isOnlinetimeError } from '@onlinetime/errors';
import { DEFAULT_ITERATIONS, deriveScramKeys, type ScramMechanism } from '@onlinetime/scram';
import type { EjabberdPassword, EjabberdUser, ScramKeys, UserCredentials } from '@onlinetime/store';

const HASH_LENGTH: Readonly<Record<ScramMechanism, number>> = { 'SCRAM-SHA-1': 20, 'SCRAM-SHA-256': 32 };
const MECHANISM_OF = { sha1: 'SCRAM-SHA-1', sha256: 'SCRAM-SHA-256' } as const;

/**
 * Keys that exist only to fill the store's slot of a mechanism the user has no keys for (an imported
 * SCRAM-SHA-1 user has no SCRAM-SHA-256 keys: they cannot be derived without the password). StoredKey
 * and ServerKey are ONE zero byte, a length no hash has: the edge treats keys of the wrong length as
 * absent (PLAIN is then checked against the other mechanism's keys) and the SCRAM server never accepts
 * them, so no password can ever match; anyone can recognise them (`isUnusableKeys`).
 */
export function unusableKeys(): ScramKeys {
  return {
    salt: randomBytes(16),
    iterations: DEFAULT_ITERATIONS,
    storedKey: Buffer.alloc(1),
    serverKey: Buffer.alloc(1),
  };
}

export function isUnusableKeys(keys: ScramKeys, mechanism: ScramMechanism): boolean {
  return keys.storedKey.length !== HASH_LENGTH[mechanism] || keys.serverKey.length !== HASH_LENGTH[mechanism];
}

/** Canonical padded base64 as ejabberd writes it (base64:encode), else null. */
function base64(text: string): Buffer | null {
  const trimmed = text.trim();
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(trimmed) || trimmed === '')
    return null;
  const bytes = Buffer.from(trimmed, 'base64');
  return bytes.toString('base64') === trimmed ? bytes : null;
}

function scramKeys(
  row: Extract<EjabberdPassword, { kind: 'scram' }>,
  mechanism: ScramMechanism,
): ScramKeys | string {
  const storedKey = base64(row.storedKey);
  const serverKey = base64(row.serverKey);
  const salt = base64(row.salt);
  if (storedKey === null || serverKey === null || salt === null)
    return `${mechanism} keys are not valid base64`;
  const length = HASH_LENGTH[mechanism];
  if (storedKey.length !== length || serverKey.length !== length) {
    return `${mechanism} keys have ${storedKey.length}/${serverKey.length} bytes, expected ${length}`;
  }
  if (salt.length > 255) return `${mechanism} salt is longer than 255 bytes`;
  return { salt, iterations: row.iterations, storedKey, serverKey };
}

export interface ImportedCredentials {
  readonly credentials: UserCredentials;
  /** Mechanisms that work for the user (the others hold unusableKeys). */
  readonly mechanisms: readonly ScramMechanism[];
}

/**
 * Our credentials from ejabberd's rows: a plaintext password gives both mechanisms; SCRAM rows are
 * copied for the hashes we speak (sha -> SCRAM-SHA-1, sha256 -> SCRAM-SHA-256); SCRAM-SHA-512 alone
 * cannot be used. Returns the reason when the user cannot be imported.
 */
export function credentialsFromEjabberd(
  jid: string,
  user: EjabberdUser,
  iterations: number,
): ImportedCredentials | string {
  const plain = user.passwords.find((p) => p.kind === 'plain');
  if (plain !== undefined) {
    try {
      return {
        credentials: {
          jid,
          scram: {
            'SCRAM-SHA-1': deriveScramKeys('SCRAM-SHA-1', plain.password, { iterations }),
            'SCRAM-SHA-256': deriveScramKeys('SCRAM-SHA-256', plain.password, { iterations }),
          },
        },
        mechanisms: ['SCRAM-SHA-1', 'SCRAM-SHA-256'],
      };
    } catch (err) {
      if (isOnlinetimeError(err) && err.code === 'PASSWORD_INVALID')
        return 'the plaintext password is rejected by SASLprep (RFC 4013)';
      throw err;
    }
  }
  const found: Partial<Record<ScramMechanism, ScramKeys>> = {};
  const problems = [...user.problems];
  for (const row of user.passwords) {
    if (row.kind !== 'scram') continue;
    if (row.hash === 'sha512') {
      problems.push('SCRAM-SHA-512 keys are not usable here');
      continue;
    }
    const mechanism = MECHANISM_OF[row.hash];
    const keys = scramKeys(row, mechanism);
    if (typeof keys === 'string') problems.push(keys);
    else found[mechanism] = keys;
  }
  const mechanisms = (['SCRAM-SHA-1', 'SCRAM-SHA-256'] as const).filter((m) => found[m] !== undefined);
  if (mechanisms.length === 0) {
    return problems.length > 0 ? problems.join('; ') : 'no password row';
  }
  return {
    credentials: {
      jid,
      scram: {
        'SCRAM-SHA-1': found['SCRAM-SHA-1'] ?? unusableKeys(),
        'SCRAM-SHA-256': found['SCRAM-SHA-256'] ?? unusableKeys(),
      },
    },
    mechanisms,
  };
}
