import { describe, expect, it } from 'vitest';

import { JidError, bareJidOf, jidToString, parseJid, tryParseJid } from './jid.js';

describe('parseJid', () => {
  it('splits and normalises the three parts', () => {
    expect(parseJid('Alice@LocalHost./Phone A')).toEqual({
      local: 'alice',
      domain: 'localhost',
      resource: 'Phone A',
    });
    expect(parseJid('localhost')).toEqual({ local: null, domain: 'localhost', resource: null });
    expect(parseJid('a@b/c/d@e')).toEqual({ local: 'a', domain: 'b', resource: 'c/d@e' });
    expect(jidToString(parseJid('A@B/R'))).toBe('a@b/R');
    expect(bareJidOf(parseJid('A@B/R'))).toBe('a@b');
  });

  it('applies NFC and maps other spaces in the resource', () => {
    expect(parseJid('e\u0301@x/r\u00a0s')).toEqual({ local: '\u00e9', domain: 'x', resource: 'r s' });
  });

  it('accepts IP literals and internationalised labels', () => {
    expect(parseJid('u@[::1]').domain).toBe('[::1]');
    expect(parseJid('u@127.0.0.1').domain).toBe('127.0.0.1');
    expect(parseJid('用户@例子.测试').domain).toBe('例子.测试');
  });

  const bad = [
    '',
    '@localhost',
    'a@',
    'a@localhost/',
    'a b@localhost',
    'a"b@localhost',
    "a'b@localhost",
    'a&b@localhost',
    'a<b@localhost',
    'a:b@localhost',
    'a\u0000@localhost',
    'a\u200b@localhost',
    'a@local host',
    'a@local..host',
    'a@exa_mple!.com',
    'a@localhost/\u0007',
    `${'a'.repeat(1024)}@localhost`,
    `a@${'b'.repeat(64)}.com`,
    `a@localhost/${'r'.repeat(1024)}`,
  ];
  for (const input of bad) {
    it(`rejects ${JSON.stringify(input.slice(0, 40))}`, () => {
      expect(() => parseJid(input)).toThrow(JidError);
      expect(tryParseJid(input)).toBeNull();
    });
  }

  it('counts bytes, not characters', () => {
    expect(() => parseJid(`${'é'.repeat(511)}@x`)).not.toThrow();
    expect(() => parseJid(`${'é'.repeat(512)}@x`)).toThrow(JidError);
  });
});
