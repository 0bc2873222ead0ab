import { describe, expect, it } from 'vitest';

import {
  JidError,
  bareJidOf,
  jidToString,
  normalizeDomain,
  normalizeLocalpart,
  normalizeResource,
  parseJid,
  precisDomain,
  precisLocalpart,
  precisResource,
  tryParseJid,
} from './jid.js';

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

describe('the ASCII fast path', () => {
  const outcome = (f: (raw: string) => string, raw: string): string => {
    try {
      return `ok:${f(raw)}`;
    } catch (err) {
      if (!(err instanceof JidError)) throw err;
      return `error:${err.message}`;
    }
  };
  const pairs: Array<[string, (raw: string) => string, (raw: string) => string]> = [
    ['localpart', normalizeLocalpart, precisLocalpart],
    ['domainpart', normalizeDomain, precisDomain],
    ['resourcepart', normalizeResource, precisResource],
  ];
  const ascii = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));

  for (const [part, fast, precis] of pairs) {
    it(`gives the ${part} exactly what the general path gives, for every ASCII character`, () => {
      for (const ch of ascii) {
        for (const raw of [ch, `a${ch}b`, `${ch}Zz9`, `xn--${ch}.Example.`, `[::${ch}]`, `${ch}.${ch}`]) {
          expect(outcome(fast, raw), JSON.stringify(raw)).toBe(outcome(precis, raw));
        }
      }
    });

    it(`gives the ${part} exactly what the general path gives, at the length limits and at random`, () => {
      const samples = ['', '.', 'a.', 'A..B', '-_', '[::1]', '[::1].', '127.0.0.1'];
      for (const n of [62, 63, 64, 1022, 1023, 1024, 1025])
        samples.push('A'.repeat(n), `${'b'.repeat(n)}.`, `x.${'c'.repeat(n)}`);
      let seed = 7;
      const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
      const alphabet = [...ascii.slice(32, 127), 'é', 'e\u0301', '\u00a0', '\u200b', 'K', 'İ', '\u0007'];
      for (let i = 0; i < 2000; i++) {
        let raw = '';
        for (let n = next() % 12; n >= 0; n--) raw += alphabet[next() % (i % 2 === 0 ? 95 : alphabet.length)];
        samples.push(raw);
      }
      for (const raw of samples) expect(outcome(fast, raw), JSON.stringify(raw)).toBe(outcome(precis, raw));
    });
  }
});
