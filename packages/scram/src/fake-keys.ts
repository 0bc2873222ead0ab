import { createHmac, randomBytes } from 'node:crypto';

import { DEFAULT_ITERATIONS, SALT_BYTES } from './mechanisms.js';
import { hashLength } from './scram-crypto.js';
import type { ScramKeys, ScramMechanism } from './types.js';

let processSecret: Buffer | undefined;

/**
 * Keys for a user that does not exist, so the server-first-message looks like a real one: the salt is
 * an HMAC of a per-process secret and the username (the same user gets the same salt on every attempt,
 * as a real user would), the iteration count is the default. The exchange then fails at the proof.
 */
export function fakeScramKeys(mechanism: ScramMechanism, username: string): ScramKeys {
  processSecret ??= randomBytes(32);
  const derive = (label: string, length: number): Buffer =>
    createHmac('sha256', processSecret as Buffer)
      .update(`${label}\0${mechanism}\0${username}`)
      .digest()
      .subarray(0, length);
  return {
    salt: derive('salt', SALT_BYTES),
    iterations: DEFAULT_ITERATIONS,
    storedKey: derive('stored-key', hashLength(mechanism)),
    serverKey: derive('server-key', hashLength(mechanism)),
  };
}
