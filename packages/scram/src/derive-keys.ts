import { randomBytes } from 'node:crypto';

import { OnlinetimeError } from '@onlinetime/errors';

import { DEFAULT_ITERATIONS, SALT_BYTES, isScramMechanism } from './mechanisms.js';
import { prepareStored } from './prep.js';
import { keysFromSaltedPassword, saltedPassword } from './scram-crypto.js';
import type { ScramKeys, ScramMechanism } from './types.js';

export interface DeriveScramKeysOptions {
  /** Defaults to 16 random bytes. */
  salt?: Buffer;
  /** Defaults to 4096. */
  iterations?: number;
}

/**
 * The keys to store for a new password (RFC 5802 §3). The password is SASLprep'd with stored-string
 * rules; a password SASLprep rejects, or one that prepares to nothing, throws code PASSWORD_INVALID.
 * Synchronous and CPU-bound (one PBKDF2 run): meant for `user add`, not a hot path.
 */
export function deriveScramKeys(
  mechanism: ScramMechanism,
  password: string,
  options: DeriveScramKeysOptions = {},
): ScramKeys {
  if (!isScramMechanism(mechanism)) {
    throw new OnlinetimeError('SCRAM_MECHANISM_INVALID', `not a SCRAM mechanism: ${String(mechanism)}`);
  }
  const iterations = options.iterations ?? DEFAULT_ITERATIONS;
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new OnlinetimeError('SCRAM_OPTIONS_INVALID', 'iterations must be a positive integer', {
      context: { iterations },
    });
  }
  const salt = options.salt ?? randomBytes(SALT_BYTES);
  if (!Buffer.isBuffer(salt) || salt.length === 0) {
    throw new OnlinetimeError('SCRAM_OPTIONS_INVALID', 'salt must be a non-empty Buffer');
  }
  const prepared = typeof password === 'string' ? prepareStored(password) : null;
  if (prepared === null) {
    throw new OnlinetimeError(
      'PASSWORD_INVALID',
      'the password is empty or contains characters SASLprep (RFC 4013) does not allow',
    );
  }
  const salted = saltedPassword(mechanism, prepared, salt, iterations);
  return { salt: Buffer.from(salt), iterations, ...keysFromSaltedPassword(mechanism, salted) };
}
