import { randomFillSync } from 'node:crypto';

const NONCE_BYTES = 18;
const pool = Buffer.alloc(NONCE_BYTES * 256);
let offset = pool.length;

/**
 * The server's half of a SCRAM nonce: 18 random bytes in base64 (24 printable characters). The bytes
 * are cut from a pooled buffer, each used once, so that a login does not cost a call into the random
 * generator (and its fork check) of its own.
 */
export function randomNonce(): string {
  if (offset + NONCE_BYTES > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const nonce = pool.toString('base64', offset, offset + NONCE_BYTES);
  offset += NONCE_BYTES;
  return nonce;
}
