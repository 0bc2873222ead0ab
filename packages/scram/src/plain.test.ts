import { describe, expect, it } from 'vitest';

import { deriveScramKeys } from './derive-keys.js';
import { parsePlain, verifyPlain } from './plain.js';
import { SaslFailure } from './sasl-failure.js';

const b = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('parsePlain', () => {
  it('splits authzid, authcid and password (RFC 4616 §4 examples)', () => {
    expect(parsePlain(b('\0tim\0tanstaaftanstaaf'))).toEqual({
      authzid: '',
      authcid: 'tim',
      password: 'tanstaaftanstaaf',
    });
    expect(parsePlain(b('Ursel\0Kurt\0xipj3plmq'))).toEqual({
      authzid: 'Ursel',
      authcid: 'Kurt',
      password: 'xipj3plmq',
    });
  });

  it('keeps the password as sent and SASLprep-s the authcid (query rules)', () => {
    expect(parsePlain(b('\0I\u00ADX\0p\u00ADw'))).toEqual({
      authzid: '',
      authcid: 'IX',
      password: 'p\u00ADw',
    });
  });

  it.each<[string, Buffer]>([
    ['no NUL', b('timpassword')],
    ['one NUL', b('tim\0password')],
    ['three NULs', b('\0tim\0pass\0word')],
    ['empty authcid', b('\0\0password')],
    ['empty password', b('\0tim\0')],
    ['empty message', b('')],
    ['invalid UTF-8', Buffer.from([0, 0x74, 0, 0xff, 0xfe])],
    ['authcid SASLprep rejects', b('\0ti\u0007m\0password')],
  ])('%s -> malformed-request', (_name, message) => {
    let thrown: unknown;
    try {
      parsePlain(message);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(SaslFailure);
    expect((thrown as SaslFailure).condition).toBe('malformed-request');
  });
});

describe.each(['SCRAM-SHA-1', 'SCRAM-SHA-256'] as const)('verifyPlain %s', (mechanism) => {
  const keys = deriveScramKeys(mechanism, 'r0m30 myr0m30', { iterations: 4096 });

  it('accepts the right password and rejects others', () => {
    expect(verifyPlain(keys, mechanism, 'r0m30 myr0m30')).toBe(true);
    expect(verifyPlain(keys, mechanism, 'r0m30 myr0m31')).toBe(false);
    expect(verifyPlain(keys, mechanism, '')).toBe(false);
    expect(verifyPlain(keys, mechanism, 'r0m30\u0007myr0m30')).toBe(false);
  });

  it('applies SASLprep to the presented password', () => {
    expect(verifyPlain(keys, mechanism, 'r0m30\u00A0my\u00ADr0m30')).toBe(true);
  });

  it('rejects keys of the other mechanism instead of throwing', () => {
    const other = mechanism === 'SCRAM-SHA-1' ? 'SCRAM-SHA-256' : 'SCRAM-SHA-1';
    expect(verifyPlain(keys, other, 'r0m30 myr0m30')).toBe(false);
  });
});
