import { createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';

import type { ScramMechanism } from './types.js';

const ALGORITHM = { 'SCRAM-SHA-1': 'sha1', 'SCRAM-SHA-256': 'sha256' } as const;
const LENGTH = { 'SCRAM-SHA-1': 20, 'SCRAM-SHA-256': 32 } as const;

/** Output length in bytes of the mechanism's hash: the length of StoredKey, ServerKey and ClientProof. */
export function hashLength(mechanism: ScramMechanism): number {
  return LENGTH[mechanism];
}

/** RFC 5802 §2.2 Hi(): PBKDF2 with HMAC-H, one block. `password` must already be SASLprep'd. */
export function saltedPassword(
  mechanism: ScramMechanism,
  password: string,
  salt: Buffer,
  iterations: number,
): Buffer {
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, LENGTH[mechanism], ALGORITHM[mechanism]);
}

export function hmac(mechanism: ScramMechanism, key: Buffer, data: string | Buffer): Buffer {
  return createHmac(ALGORITHM[mechanism], key).update(data).digest();
}

export function hash(mechanism: ScramMechanism, data: Buffer): Buffer {
  return createHash(ALGORITHM[mechanism]).update(data).digest();
}

export function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i += 1) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0);
  return out;
}

/** RFC 5802 §3: StoredKey = H(HMAC(SaltedPassword, "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key"). */
export function keysFromSaltedPassword(
  mechanism: ScramMechanism,
  salted: Buffer,
): { storedKey: Buffer; serverKey: Buffer } {
  return {
    storedKey: hash(mechanism, hmac(mechanism, salted, 'Client Key')),
    serverKey: hmac(mechanism, salted, 'Server Key'),
  };
}

/** Constant-time equality; different lengths are simply unequal. */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
