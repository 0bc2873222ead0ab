import { hashLength, keysFromSaltedPassword, safeEqual, saltedPassword } from './scram-crypto.js';
import { prepareQuery } from './prep.js';
import { SaslFailure } from './sasl-failure.js';
import type { ScramKeys, ScramMechanism } from './types.js';
import { decodeUtf8 } from './utf8.js';

export interface PlainCredentials {
  /** As sent; empty when the client asked for no separate authorization identity. */
  readonly authzid: string;
  /** SASLprep'd with query-string rules, the same form SCRAM hands to `lookup`. */
  readonly authcid: string;
  /** As sent; `verifyPlain` prepares it. */
  readonly password: string;
}

/** RFC 4616 §2: `[authzid] NUL authcid NUL passwd`, UTF-8, authcid and passwd non-empty. */
export function parsePlain(message: Buffer): PlainCredentials {
  const text = decodeUtf8(message);
  const fields = text.split('\0');
  if (fields.length !== 3) {
    throw new SaslFailure('malformed-request', 'PLAIN needs exactly [authzid] NUL authcid NUL password');
  }
  const [authzid = '', rawAuthcid = '', password = ''] = fields;
  if (rawAuthcid === '' || password === '') {
    throw new SaslFailure('malformed-request', 'PLAIN needs a non-empty authcid and password');
  }
  const authcid = prepareQuery(rawAuthcid);
  if (authcid === null) throw new SaslFailure('malformed-request', 'the authcid is not allowed by SASLprep');
  return { authzid, authcid, password };
}

/**
 * PLAIN against SCRAM-stored credentials: recompute SaltedPassword from the stored salt and iteration
 * count, then compare StoredKey in constant time. A password SASLprep rejects is simply wrong.
 * Synchronous and CPU-bound: one PBKDF2 run of `keys.iterations`.
 */
export function verifyPlain(mechanismKeys: ScramKeys, mechanism: ScramMechanism, password: string): boolean {
  const prepared = typeof password === 'string' ? prepareQuery(password) : null;
  if (prepared === null) return false;
  const { salt, iterations, storedKey } = mechanismKeys;
  if (storedKey.length !== hashLength(mechanism) || !Number.isSafeInteger(iterations) || iterations < 1)
    return false;
  const salted = saltedPassword(mechanism, prepared, salt, iterations);
  return safeEqual(keysFromSaltedPassword(mechanism, salted).storedKey, storedKey);
}
