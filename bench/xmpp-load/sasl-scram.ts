import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type ClientMechanism = 'SCRAM-SHA-1' | 'SCRAM-SHA-256' | 'PLAIN';

interface DerivedKeys {
  readonly clientKey: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

/**
 * SaltedPassword (and the keys derived from it) per user, salt, iterations and hash: PBKDF2 runs
 * once per account, so the load tool measures the server and not its own key derivation.
 * Optionally persisted to a JSON file so repeated runs against the same accounts skip it entirely.
 */
export class ScramKeyCache {
  private readonly keys = new Map<string, DerivedKeys>();
  private dirty = false;
  derivations = 0;

  get(alg: 'sha1' | 'sha256', user: string, password: string, salt: string, iterations: number): DerivedKeys {
    const key = `${alg}\u0000${user}\u0000${salt}\u0000${iterations}`;
    const found = this.keys.get(key);
    if (found !== undefined) return found;
    const salted = pbkdf2Sync(
      password,
      Buffer.from(salt, 'base64'),
      iterations,
      alg === 'sha1' ? 20 : 32,
      alg,
    );
    const clientKey = createHmac(alg, salted).update('Client Key').digest();
    const keys: DerivedKeys = {
      clientKey,
      storedKey: createHash(alg).update(clientKey).digest(),
      serverKey: createHmac(alg, salted).update('Server Key').digest(),
    };
    this.keys.set(key, keys);
    this.derivations += 1;
    this.dirty = true;
    return keys;
  }

  load(file: string): void {
    if (!existsSync(file)) return;
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, [string, string, string]>;
    for (const [key, [c, s, v]] of Object.entries(parsed)) {
      this.keys.set(key, {
        clientKey: Buffer.from(c, 'base64'),
        storedKey: Buffer.from(s, 'base64'),
        serverKey: Buffer.from(v, 'base64'),
      });
    }
  }

  save(file: string): void {
    if (!this.dirty) return;
    const out: Record<string, [string, string, string]> = {};
    for (const [key, k] of this.keys) {
      out[key] = [
        k.clientKey.toString('base64'),
        k.storedKey.toString('base64'),
        k.serverKey.toString('base64'),
      ];
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(out));
    this.dirty = false;
  }
}

/** RFC 5802 saslname: ',' and '=' escaped. */
function saslName(user: string): string {
  return user.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** One SCRAM exchange, client side (no channel binding: gs2 header `n,,`). */
export class ScramClient {
  private readonly alg: 'sha1' | 'sha256';
  private readonly clientFirstBare: string;
  private readonly nonce = randomBytes(18).toString('base64');
  private expectedServerSignature: Buffer | undefined;

  constructor(
    mechanism: 'SCRAM-SHA-1' | 'SCRAM-SHA-256',
    private readonly user: string,
    private readonly password: string,
    private readonly cache: ScramKeyCache,
  ) {
    this.alg = mechanism === 'SCRAM-SHA-1' ? 'sha1' : 'sha256';
    this.clientFirstBare = `n=${saslName(user)},r=${this.nonce}`;
  }

  /** base64 of client-first-message. */
  first(): string {
    return Buffer.from(`n,,${this.clientFirstBare}`).toString('base64');
  }

  /** base64 of client-final-message for the server-first-message (base64). */
  final(serverFirstB64: string): string {
    const serverFirst = Buffer.from(serverFirstB64, 'base64').toString();
    const attrs = new Map<string, string>();
    for (const part of serverFirst.split(',')) attrs.set(part.slice(0, 1), part.slice(2));
    const nonce = attrs.get('r') ?? '';
    const salt = attrs.get('s') ?? '';
    const iterations = Number(attrs.get('i'));
    if (!nonce.startsWith(this.nonce) || salt === '' || !Number.isInteger(iterations) || iterations < 1) {
      throw new Error(`bad server-first-message: ${serverFirst}`);
    }
    const keys = this.cache.get(this.alg, this.user, this.password, salt, iterations);
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = createHmac(this.alg, keys.storedKey).update(authMessage).digest();
    const proof = Buffer.alloc(signature.length);
    for (let i = 0; i < proof.length; i += 1) proof[i] = (keys.clientKey[i] ?? 0) ^ (signature[i] ?? 0);
    this.expectedServerSignature = createHmac(this.alg, keys.serverKey).update(authMessage).digest();
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`).toString('base64');
  }

  /** Checks the server's `v=` (server-final-message, base64); false when it does not prove the key. */
  verify(serverFinalB64: string): boolean {
    const text = Buffer.from(serverFinalB64, 'base64').toString();
    if (!text.startsWith('v=') || this.expectedServerSignature === undefined) return false;
    const got = Buffer.from(text.slice(2).split(',')[0] ?? '', 'base64');
    return (
      got.length === this.expectedServerSignature.length && timingSafeEqual(got, this.expectedServerSignature)
    );
  }
}

export function plainInitial(user: string, password: string): string {
  return Buffer.from(`\u0000${user}\u0000${password}`).toString('base64');
}
