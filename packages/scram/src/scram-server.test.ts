import { describe, expect, it } from 'vitest';

import { deriveScramKeys } from './derive-keys.js';
import { SaslFailure } from './sasl-failure.js';
import { createScramServer } from './scram-server.js';
import { scramClientFinal } from './testing/scram-client.js';
import type { ScramKeys, ScramMechanism } from './types.js';

const b = (text: string): Buffer => Buffer.from(text, 'utf8');

function users(
  mechanism: ScramMechanism,
  entries: Record<string, string>,
): (u: string) => Promise<ScramKeys | null> {
  const keys = new Map(Object.entries(entries).map(([u, p]) => [u, deriveScramKeys(mechanism, p)]));
  return async (u) => keys.get(u) ?? null;
}

async function failure(promise: Promise<unknown>): Promise<SaslFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SaslFailure);
  return err as SaslFailure;
}

describe('createScramServer: RFC test vectors', () => {
  it('RFC 5802 §5 (SCRAM-SHA-1, user/pencil) gives the exact server messages', async () => {
    const keys = deriveScramKeys('SCRAM-SHA-1', 'pencil', {
      salt: Buffer.from('QSXCR+Q6sek8bf92', 'base64'),
    });
    const server = createScramServer({
      mechanism: 'SCRAM-SHA-1',
      lookup: async (u) => (u === 'user' ? keys : null),
      nonce: () => '3rfcNHYJY1ZVvWVs7j',
    });
    const serverFirst = await server.start(b('n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL'));
    expect(serverFirst.toString()).toBe(
      'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096',
    );
    const result = await server.finish(
      b('c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts='),
    );
    expect(result.serverFinal.toString()).toBe('v=rmF9pqV8S7suAoZWja4dJRkFsKQ=');
    expect(result.username).toBe('user');
  });

  it('RFC 7677 §3 (SCRAM-SHA-256, user/pencil) gives the exact server messages', async () => {
    const keys = deriveScramKeys('SCRAM-SHA-256', 'pencil', {
      salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
    });
    const server = createScramServer({
      mechanism: 'SCRAM-SHA-256',
      lookup: async (u) => (u === 'user' ? keys : null),
      nonce: () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
    });
    const serverFirst = await server.start(b('n,,n=user,r=rOprNGfwEbeRWgbNEkqO'));
    expect(serverFirst.toString()).toBe(
      'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
    );
    const result = await server.finish(
      b(
        'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,' +
          'p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
      ),
    );
    expect(result.serverFinal.toString()).toBe('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
    expect(result.username).toBe('user');
  });
});

describe.each(['SCRAM-SHA-1', 'SCRAM-SHA-256'] as const)('createScramServer %s', (mechanism) => {
  const lookup = users(mechanism, { juliet: 'r0m30myr0m30', 'a,b=c': 'secret' });

  async function run(clientFirstBare: string, password: string, gs2Header = 'n,,', domain?: string) {
    const server = createScramServer({ mechanism, lookup, ...(domain === undefined ? {} : { domain }) });
    const serverFirst = (await server.start(b(gs2Header + clientFirstBare))).toString();
    const client = scramClientFinal({ mechanism, password, clientFirstBare, serverFirst, gs2Header });
    return { serverFirst, client, finish: () => server.finish(b(client.clientFinal)) };
  }

  it('authenticates and returns a server signature the client can verify', async () => {
    const { client, finish } = await run('n=juliet,r=abcdefgh', 'r0m30myr0m30');
    const result = await finish();
    expect(result).toEqual({ serverFinal: b(`v=${client.serverSignature}`), username: 'juliet' });
  });

  it('uses a fresh random server nonce that extends the client nonce', async () => {
    const a = await run('n=juliet,r=abcdefgh', 'x');
    const c = await run('n=juliet,r=abcdefgh', 'x');
    expect(a.serverFirst).toMatch(/^r=abcdefgh[A-Za-z0-9+/=]{24},s=/);
    expect(a.serverFirst.split(',')[0]).not.toBe(c.serverFirst.split(',')[0]);
  });

  it('decodes =2C and =3D in the username', async () => {
    const { finish } = await run('n=a=2Cb=3Dc,r=abcdefgh', 'secret');
    expect((await finish()).username).toBe('a,b=c');
  });

  it("accepts the 'y' flag when c= echoes it (eSws)", async () => {
    const { client, finish } = await run('n=juliet,r=abcdefgh', 'r0m30myr0m30', 'y,,');
    expect(client.clientFinal.startsWith('c=eSws,')).toBe(true);
    expect((await finish()).username).toBe('juliet');
  });

  it('accepts an authzid equal to the username, or to username@domain when the domain is given', async () => {
    expect((await (await run('n=juliet,r=abcdefgh', 'r0m30myr0m30', 'n,a=juliet,')).finish()).username).toBe(
      'juliet',
    );
    const withDomain = await run(
      'n=juliet,r=abcdefgh',
      'r0m30myr0m30',
      'n,a=juliet@Example.COM,',
      'example.com',
    );
    expect((await withDomain.finish()).username).toBe('juliet');
  });

  it('rejects another authzid with invalid-authzid', async () => {
    const server = createScramServer({ mechanism, lookup, domain: 'example.com' });
    expect((await failure(server.start(b('n,a=romeo,n=juliet,r=abcdefgh')))).condition).toBe(
      'invalid-authzid',
    );
    const other = createScramServer({ mechanism, lookup, domain: 'example.com' });
    const err = await failure(other.start(b('n,a=juliet@evil.example,n=juliet,r=abcdefgh')));
    expect(err.condition).toBe('invalid-authzid');
  });

  it('rejects a wrong password with not-authorized', async () => {
    const { finish } = await run('n=juliet,r=abcdefgh', 'wrong');
    const err = await failure(finish());
    expect(err.condition).toBe('not-authorized');
    expect(err.code).toBe('SASL_NOT_AUTHORIZED');
  });

  it('makes an unknown user look like a known one until the proof fails', async () => {
    const known = await run('n=juliet,r=abcdefgh', 'wrong');
    const unknown = await run('n=nobody,r=abcdefgh', 'wrong');
    const shape = /^r=abcdefgh[^,]+,s=[A-Za-z0-9+/]{22}==,i=4096$/;
    expect(known.serverFirst).toMatch(shape);
    expect(unknown.serverFirst).toMatch(shape);
    const again = await run('n=nobody,r=abcdefgh', 'wrong');
    const salt = (s: string) => s.split(',')[1];
    expect(salt(again.serverFirst)).toBe(salt(unknown.serverFirst));
    expect(salt((await run('n=nobody2,r=abcdefgh', 'x')).serverFirst)).not.toBe(salt(unknown.serverFirst));
    const errKnown = await failure(known.finish());
    const errUnknown = await failure(unknown.finish());
    expect([errUnknown.condition, errUnknown.message]).toEqual([errKnown.condition, errKnown.message]);
  });

  it('fails with temporary-auth-failure (retriable) when the lookup throws', async () => {
    const server = createScramServer({ mechanism, lookup: () => Promise.reject(new Error('db down')) });
    const err = await failure(server.start(b('n,,n=juliet,r=abcdefgh')));
    expect(err.condition).toBe('temporary-auth-failure');
    expect(err.retriable).toBe(true);
    expect((err.cause as Error).message).toBe('db down');
  });

  it('fails with temporary-auth-failure when stored keys do not fit the mechanism', async () => {
    const other = mechanism === 'SCRAM-SHA-1' ? 'SCRAM-SHA-256' : 'SCRAM-SHA-1';
    const keys = deriveScramKeys(other, 'x');
    const server = createScramServer({ mechanism, lookup: async () => keys });
    expect((await failure(server.start(b('n,,n=juliet,r=abcdefgh')))).condition).toBe(
      'temporary-auth-failure',
    );
  });

  it('passes the SASLprep-ed username to lookup', async () => {
    const seen: string[] = [];
    const server = createScramServer({ mechanism, lookup: async (u) => (seen.push(u), null) });
    await server.start(b('n,,n=I\u00ADX\u00A0y,r=abcdefgh'));
    expect(seen).toEqual(['IX y']);
  });

  it('allows start once and finish once, in order', async () => {
    const server = createScramServer({ mechanism, lookup });
    expect((await failure(server.finish(b('c=biws,r=x,p=AAAA')))).condition).toBe('malformed-request');
    const { finish } = await run('n=juliet,r=abcdefgh', 'r0m30myr0m30');
    await finish();
    expect((await failure(finish())).condition).toBe('malformed-request');
  });
});
