import { describe, expect, it } from 'vitest';

import { normaliseBareJid, normaliseDomain, normaliseLocalpart } from './jid.js';

describe('normaliseBareJid', () => {
  it('lower-cases and width-maps user part and domain', () => {
    expect(normaliseBareJid('Alice@Example.COM')).toBe('alice@example.com');
    expect(normaliseBareJid('ＡＬＩＣＥ@example.com')).toBe('alice@example.com');
    expect(normaliseBareJid('bob@example.com.')).toBe('bob@example.com');
    expect(normaliseBareJid('Élodie@example.com')).toBe('élodie@example.com');
  });

  it.each([
    ['nobody', 'expected USER@DOMAIN'],
    ['@example.com', 'expected USER@DOMAIN'],
    ['a@b@c', 'expected USER@DOMAIN'],
    ['a@example.com/res', 'no /resource'],
    ['has space@example.com', 'not allow'],
    ["o'neil@example.com", 'not allow'],
    ['a@exa_mple.com', 'host name label'],
    ['a@-bad.com', 'host name label'],
    ['a@', 'domain is empty'],
  ])('rejects %s (code INPUT_INVALID)', (input, message) => {
    expect(() => normaliseBareJid(input)).toThrow(message);
    try {
      normaliseBareJid(input);
    } catch (err) {
      expect((err as { code: string }).code).toBe('INPUT_INVALID');
    }
  });

  it('checks parts alone', () => {
    expect(normaliseLocalpart('Bob')).toBe('bob');
    expect(() => normaliseLocalpart('')).toThrow('empty');
    expect(normaliseDomain('XMPP.Example.org')).toBe('xmpp.example.org');
  });
});
