import { OnlinetimeError } from '@onlinetime/errors';

import { fakeScramKeys } from './fake-keys.js';
import { isScramMechanism } from './mechanisms.js';
import { randomNonce } from './nonce.js';
import { prepareQuery } from './prep.js';
import { SaslFailure } from './sasl-failure.js';
import { checkAuthzid } from './scram-authzid.js';
import { hash, hashLength, hmac, safeEqual, xor } from './scram-crypto.js';
import {
  isPrintableNonce,
  parseClientFinal,
  parseClientFirst,
  type ClientFirstMessage,
} from './scram-messages.js';
import type { ScramKeys, ScramMechanism } from './types.js';
import { decodeUtf8 } from './utf8.js';

export interface ScramServerOptions {
  readonly mechanism: ScramMechanism;
  /** Keys of the SASLprep'd username, null when no such user. A throw fails with temporary-auth-failure. */
  readonly lookup: (username: string) => Promise<ScramKeys | null>;
  /** The server's half of the nonce; defaults to randomNonce (18 random bytes, base64). Tests inject the RFC's. */
  readonly nonce?: () => string;
  /** When set, an authzid `username@domain` is accepted besides the bare username. */
  readonly domain?: string;
}

export interface ScramServerResult {
  readonly serverFinal: Buffer;
  /** The SASLprep'd (query-string rules) username that was authenticated. */
  readonly username: string;
}

/** One SCRAM exchange (one connection's attempt): `start` then `finish`, each at most once. */
export interface ScramServer {
  start(clientFirst: Buffer): Promise<Buffer>;
  finish(clientFinal: Buffer): Promise<ScramServerResult>;
}

interface Started {
  readonly first: ClientFirstMessage;
  readonly username: string;
  readonly keys: ScramKeys;
  readonly known: boolean;
  readonly nonce: string;
  readonly serverFirst: string;
}

const NOT_AUTHORIZED = 'authentication failed';

export function createScramServer(options: ScramServerOptions): ScramServer {
  const { mechanism, lookup } = options;
  if (!isScramMechanism(mechanism)) {
    throw new OnlinetimeError('SCRAM_MECHANISM_INVALID', `not a SCRAM mechanism: ${String(mechanism)}`);
  }
  const makeNonce = options.nonce ?? randomNonce;
  let phase: 'new' | 'busy' | 'started' | 'done' = 'new';
  let state: Started | undefined;

  async function lookupKeys(username: string): Promise<{ keys: ScramKeys; known: boolean }> {
    let keys: ScramKeys | null;
    try {
      keys = await lookup(username);
    } catch (err) {
      throw new SaslFailure('temporary-auth-failure', 'credentials are unavailable, try again', {
        cause: err,
      });
    }
    if (keys === null) return { keys: fakeScramKeys(mechanism, username), known: false };
    if (!validKeys(keys, mechanism)) {
      throw new SaslFailure('temporary-auth-failure', 'credentials are unavailable, try again', {
        context: { reason: 'stored keys do not fit the mechanism', mechanism },
      });
    }
    return { keys, known: true };
  }

  async function start(clientFirst: Buffer): Promise<Buffer> {
    if (phase !== 'new') throw new SaslFailure('malformed-request', 'the exchange has already started');
    phase = 'busy';
    try {
      const first = parseClientFirst(decodeUtf8(clientFirst));
      const username = prepareQuery(first.username);
      if (username === null)
        throw new SaslFailure('malformed-request', 'the username is not allowed by SASLprep');
      checkAuthzid(first.authzid, username, options.domain);
      const { keys, known } = await lookupKeys(username);
      const serverNonce = makeNonce();
      if (!isPrintableNonce(serverNonce)) {
        throw new OnlinetimeError(
          'SCRAM_NONCE_INVALID',
          'the injected nonce source gave a non-printable nonce',
        );
      }
      const nonce = first.clientNonce + serverNonce;
      const serverFirst = `r=${nonce},s=${keys.salt.toString('base64')},i=${keys.iterations}`;
      state = { first, username, keys, known, nonce, serverFirst };
      phase = 'started';
      return Buffer.from(serverFirst, 'utf8');
    } catch (err) {
      phase = 'done';
      throw err;
    }
  }

  async function finish(clientFinal: Buffer): Promise<ScramServerResult> {
    const current = state;
    if (phase !== 'started' || current === undefined) {
      throw new SaslFailure('malformed-request', 'no exchange in progress');
    }
    phase = 'done';
    state = undefined;
    const final = parseClientFinal(decodeUtf8(clientFinal));
    if (!safeEqual(final.channelBinding, Buffer.from(current.first.gs2Header, 'utf8'))) {
      throw new SaslFailure('malformed-request', 'channel binding data (c=) does not match the GS2 header');
    }
    if (final.nonce !== current.nonce) {
      throw new SaslFailure('not-authorized', NOT_AUTHORIZED, { context: { reason: 'nonce mismatch' } });
    }
    if (final.proof.length !== hashLength(mechanism)) {
      throw new SaslFailure('malformed-request', 'the proof has the wrong length');
    }
    const authMessage = `${current.first.bare},${current.serverFirst},${final.withoutProof}`;
    const { storedKey, serverKey } = current.keys;
    const clientKey = xor(final.proof, hmac(mechanism, storedKey, authMessage));
    const proofMatches = safeEqual(hash(mechanism, clientKey), storedKey);
    if (!proofMatches || !current.known) {
      throw new SaslFailure('not-authorized', NOT_AUTHORIZED, {
        context: { reason: current.known ? 'wrong proof' : 'unknown user', username: current.username },
      });
    }
    const serverSignature = hmac(mechanism, serverKey, authMessage);
    return {
      serverFinal: Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8'),
      username: current.username,
    };
  }

  return { start, finish };
}

function validKeys(keys: ScramKeys, mechanism: ScramMechanism): boolean {
  const length = hashLength(mechanism);
  return (
    Buffer.isBuffer(keys.salt) &&
    keys.salt.length > 0 &&
    Number.isSafeInteger(keys.iterations) &&
    keys.iterations > 0 &&
    Buffer.isBuffer(keys.storedKey) &&
    keys.storedKey.length === length &&
    Buffer.isBuffer(keys.serverKey) &&
    keys.serverKey.length === length
  );
}
