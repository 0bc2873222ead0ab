import { deriveScramKeys, verifyPlain } from '@onlinetime/scram';
import type { EjabberdUser } from '@onlinetime/store';
import { describe, expect, it } from 'vitest';

import { credentialsFromEjabberd, isUnusableKeys } from './ejabberd-credentials.js';

function scramRow(hash: 'sha1' | 'sha256', password: string) {
  const keys = deriveScramKeys(hash === 'sha1' ? 'SCRAM-SHA-1' : 'SCRAM-SHA-256', password);
  return {
    kind: 'scram' as const,
    hash,
    storedKey: keys.storedKey.toString('base64'),
    serverKey: keys.serverKey.toString('base64'),
    salt: keys.salt.toString('base64'),
    iterations: keys.iterations,
  };
}

const user = (passwords: EjabberdUser['passwords'], problems: string[] = []): EjabberdUser => ({
  username: 'u',
  passwords,
  problems,
});

describe('credentialsFromEjabberd', () => {
  it('derives both mechanisms from a plaintext password', () => {
    const result = credentialsFromEjabberd('u@x', user([{ kind: 'plain', password: 'pw' }]), 4096);
    if (typeof result === 'string') throw new Error(result);
    expect(result.mechanisms).toEqual(['SCRAM-SHA-1', 'SCRAM-SHA-256']);
    expect(verifyPlain(result.credentials.scram['SCRAM-SHA-1'], 'SCRAM-SHA-1', 'pw')).toBe(true);
    expect(verifyPlain(result.credentials.scram['SCRAM-SHA-256'], 'SCRAM-SHA-256', 'pw')).toBe(true);
  });

  it('copies SCRAM-SHA-1 keys and marks the SCRAM-SHA-256 slot unusable', () => {
    const result = credentialsFromEjabberd('u@x', user([scramRow('sha1', 'pw')]), 4096);
    if (typeof result === 'string') throw new Error(result);
    expect(result.mechanisms).toEqual(['SCRAM-SHA-1']);
    expect(verifyPlain(result.credentials.scram['SCRAM-SHA-1'], 'SCRAM-SHA-1', 'pw')).toBe(true);
    expect(isUnusableKeys(result.credentials.scram['SCRAM-SHA-256'], 'SCRAM-SHA-256')).toBe(true);
    expect(verifyPlain(result.credentials.scram['SCRAM-SHA-256'], 'SCRAM-SHA-256', 'pw')).toBe(false);
  });

  it('uses both SCRAM rows of the multi-hash schema', () => {
    const result = credentialsFromEjabberd(
      'u@x',
      user([scramRow('sha1', 'pw'), scramRow('sha256', 'pw')]),
      4096,
    );
    if (typeof result === 'string') throw new Error(result);
    expect(result.mechanisms).toEqual(['SCRAM-SHA-1', 'SCRAM-SHA-256']);
    expect(isUnusableKeys(result.credentials.scram['SCRAM-SHA-1'], 'SCRAM-SHA-1')).toBe(false);
  });

  it('gives the reason when nothing usable is left', () => {
    expect(
      credentialsFromEjabberd('u@x', user([{ ...scramRow('sha1', 'pw'), hash: 'sha512' }]), 4096),
    ).toMatch(/SCRAM-SHA-512/);
    expect(
      credentialsFromEjabberd('u@x', user([{ ...scramRow('sha1', 'pw'), storedKey: 'not base64' }]), 4096),
    ).toMatch(/base64/);
    expect(
      credentialsFromEjabberd('u@x', user([{ ...scramRow('sha256', 'pw'), hash: 'sha1' }]), 4096),
    ).toMatch(/expected 20/);
    expect(credentialsFromEjabberd('u@x', user([], ['unknown password type 9']), 4096)).toBe(
      'unknown password type 9',
    );
    expect(credentialsFromEjabberd('u@x', user([]), 4096)).toBe('no password row');
    expect(credentialsFromEjabberd('u@x', user([{ kind: 'plain', password: '\u0007' }]), 4096)).toMatch(
      /SASLprep/,
    );
  });
});
