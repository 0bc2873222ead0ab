import { describe, expect, it } from 'vitest';

import { OnlinetimeError } from '@onlinetime/errors';

import { deriveScramKeys } from './derive-keys.js';

const salt = Buffer.from('QSXCR+Q6sek8bf92', 'base64');

describe('deriveScramKeys', () => {
  it('gives the RFC 5802 §5 keys for user/pencil (SCRAM-SHA-1)', () => {
    // Expected values computed independently (Python hashlib.pbkdf2_hmac + hmac) from the RFC inputs.
    const keys = deriveScramKeys('SCRAM-SHA-1', 'pencil', { salt, iterations: 4096 });
    expect(keys.salt).toEqual(salt);
    expect(keys.iterations).toBe(4096);
    expect(keys.storedKey.toString('base64')).toBe('6dlGYMOdZcOPutkcNY8U2g7vK9Y=');
    expect(keys.serverKey.toString('base64')).toBe('D+CSWLOshSulAsxiupA+qs2/fTE=');
  });

  it('defaults to 4096 iterations and a fresh 16-byte salt', () => {
    const a = deriveScramKeys('SCRAM-SHA-256', 'pencil');
    const b = deriveScramKeys('SCRAM-SHA-256', 'pencil');
    expect(a.iterations).toBe(4096);
    expect(a.salt).toHaveLength(16);
    expect(a.salt.equals(b.salt)).toBe(false);
    expect(a.storedKey).toHaveLength(32);
    expect(a.serverKey).toHaveLength(32);
    expect(a.storedKey.equals(b.storedKey)).toBe(false);
  });

  it.each([
    ['soft hyphen mapped to nothing', 'I\u00ADX', 'IX'],
    ['roman numeral nine (NFKC)', '\u2168', 'IX'],
    ['feminine ordinal (NFKC)', '\u00AA', 'a'],
    ['no-break space mapped to space', 'a\u00A0b', 'a b'],
  ])('SASLprep: %s gives the same keys', (_name, raw, prepared) => {
    for (const mechanism of ['SCRAM-SHA-1', 'SCRAM-SHA-256'] as const) {
      expect(deriveScramKeys(mechanism, raw, { salt })).toEqual(
        deriveScramKeys(mechanism, prepared, { salt }),
      );
    }
  });

  it('distinguishes case (SASLprep does not case-fold)', () => {
    expect(deriveScramKeys('SCRAM-SHA-1', 'Pencil', { salt }).storedKey).not.toEqual(
      deriveScramKeys('SCRAM-SHA-1', 'pencil', { salt }).storedKey,
    );
  });

  it.each([
    ['empty', ''],
    ['only mapped-to-nothing characters', '\u00AD'],
    ['prohibited control character (RFC 4013 §3 example)', 'pass\u0007word'],
    ['RandALCat mixed with LCat (RFC 4013 §3 example)', '\u0627\u0031'],
    ['unassigned code point (stored-string rules)', 'pass\u0221word'],
    ['lone surrogate', 'pass\uD800word'],
  ])('rejects %s with PASSWORD_INVALID', (_name, password) => {
    let thrown: unknown;
    try {
      deriveScramKeys('SCRAM-SHA-256', password, { salt });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(OnlinetimeError);
    expect((thrown as OnlinetimeError).code).toBe('PASSWORD_INVALID');
    expect((thrown as Error).message).not.toContain(password === '' ? '\u0000' : password);
  });

  it('rejects bad options', () => {
    expect(() => deriveScramKeys('SCRAM-SHA-1', 'x', { iterations: 0 })).toThrow(/iterations/);
    expect(() => deriveScramKeys('SCRAM-SHA-1', 'x', { iterations: 1.5 })).toThrow(/iterations/);
    expect(() => deriveScramKeys('SCRAM-SHA-1', 'x', { salt: Buffer.alloc(0) })).toThrow(/salt/);
    expect(() => deriveScramKeys('SCRAM-MD5' as 'SCRAM-SHA-1', 'x')).toThrow(/SCRAM mechanism/);
  });
});
