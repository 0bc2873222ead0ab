import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';

import type { ScramMechanism } from '../types.js';

/**
 * A tiny, independent RFC 5802 client for tests: computes client-final-message for any server-first,
 * so tests can drive wrong passwords, replays and tampering. Written without the package's own crypto.
 */
export function scramClientFinal(input: {
  mechanism: ScramMechanism;
  password: string;
  clientFirstBare: string;
  serverFirst: string;
  gs2Header?: string;
  nonce?: string;
}): { clientFinal: string; serverSignature: string } {
  const alg = input.mechanism === 'SCRAM-SHA-1' ? 'sha1' : 'sha256';
  const attrs = new Map(input.serverFirst.split(',').map((p) => [p.slice(0, 1), p.slice(2)] as const));
  const salt = Buffer.from(attrs.get('s') ?? '', 'base64');
  const iterations = Number(attrs.get('i'));
  const nonce = input.nonce ?? attrs.get('r') ?? '';
  const channel = Buffer.from(input.gs2Header ?? 'n,,').toString('base64');
  const withoutProof = `c=${channel},r=${nonce}`;
  const authMessage = `${input.clientFirstBare},${input.serverFirst},${withoutProof}`;
  const length = alg === 'sha1' ? 20 : 32;
  const salted = pbkdf2Sync(input.password, salt, iterations, length, alg);
  const clientKey = createHmac(alg, salted).update('Client Key').digest();
  const storedKey = createHash(alg).update(clientKey).digest();
  const signature = createHmac(alg, storedKey).update(authMessage).digest();
  const proof = Buffer.from(clientKey.map((b, i) => b ^ (signature[i] ?? 0)));
  const serverKey = createHmac(alg, salted).update('Server Key').digest();
  const serverSignature = createHmac(alg, serverKey).update(authMessage).digest('base64');
  return { clientFinal: `${withoutProof},p=${proof.toString('base64')}`, serverSignature };
}
