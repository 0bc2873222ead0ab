import { describe, expect, it } from 'vitest';

import { interpretPasswordRow } from './passwords.js';

const row = (over: Partial<Parameters<typeof interpretPasswordRow>[0]>) => ({
  type: null,
  password: 'secret',
  serverkey: '',
  salt: '',
  iterationcount: 0,
  ...over,
});

describe('interpretPasswordRow (ejabberd users rows)', () => {
  it('reads a row without SCRAM columns, or with empty ones, as plaintext', () => {
    expect(interpretPasswordRow(row({ serverkey: null, salt: null, iterationcount: null }))).toEqual({
      kind: 'plain',
      password: 'secret',
    });
    expect(interpretPasswordRow(row({}))).toEqual({ kind: 'plain', password: 'secret' });
    expect(interpretPasswordRow(row({ password: '' }))).toBe('empty plaintext password');
  });

  it('reads SCRAM rows by the sha256:/sha512: prefix of the stored key, SHA-1 without one', () => {
    const scram = { serverkey: 'U0s=', salt: 'c2FsdA==', iterationcount: 4096 };
    expect(interpretPasswordRow(row({ ...scram, password: 'U3RvcmVk' }))).toEqual({
      kind: 'scram',
      hash: 'sha1',
      storedKey: 'U3RvcmVk',
      serverKey: 'U0s=',
      salt: 'c2FsdA==',
      iterations: 4096,
    });
    expect(interpretPasswordRow(row({ ...scram, password: 'sha256:U3RvcmVk' }))).toMatchObject({
      hash: 'sha256',
      storedKey: 'U3RvcmVk',
    });
    expect(interpretPasswordRow(row({ ...scram, password: 'sha512:U3RvcmVk' }))).toMatchObject({
      hash: 'sha512',
    });
  });

  it('reads the multi-hash schema by its type column', () => {
    const scram = { serverkey: 'U0s=', salt: 'c2FsdA==', iterationcount: 4096, password: 'U3RvcmVk' };
    expect(interpretPasswordRow(row({ type: 1, password: 'pw' }))).toEqual({ kind: 'plain', password: 'pw' });
    expect(interpretPasswordRow(row({ type: 2, ...scram }))).toMatchObject({ kind: 'scram', hash: 'sha1' });
    expect(interpretPasswordRow(row({ type: 3, ...scram }))).toMatchObject({ kind: 'scram', hash: 'sha256' });
    expect(interpretPasswordRow(row({ type: 4, ...scram }))).toMatchObject({ kind: 'scram', hash: 'sha512' });
    expect(interpretPasswordRow(row({ type: 9, ...scram }))).toBe('unknown password type 9');
    expect(interpretPasswordRow(row({ type: 2, ...scram, password: 'sha256:U3RvcmVk' }))).toMatch(
      /disagrees/,
    );
  });

  it('names what is wrong with an unusable SCRAM row', () => {
    expect(
      interpretPasswordRow(row({ serverkey: 'U0s=', salt: 'c2FsdA==', iterationcount: 0, password: 'x' })),
    ).toMatch(/iteration count 0/);
    expect(
      interpretPasswordRow(row({ serverkey: 'U0s=', salt: '', iterationcount: 10, password: 'x' })),
    ).toMatch(/empty/);
  });
});
