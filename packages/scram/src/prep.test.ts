import { describe, expect, it } from 'vitest';

import { prepareQuery, prepareStored, saslprepModule } from './prep.js';

describe('SASLprep', () => {
  const samples: string[] = ['', ' ', 'user', 'User Name', 'a\u00a0b', 'I\u00adX', '\u2168', 'ﬁ', 'a\u0000'];
  for (let c = 0; c < 128; c++) {
    const ch = String.fromCharCode(c);
    samples.push(ch, `a${ch}b`, `${ch}${ch}`);
  }

  it('prepares printable ASCII to itself, exactly as the general path does', () => {
    for (const input of samples) {
      expect(prepareQuery(input), JSON.stringify(input)).toBe(saslprepModule(input, true));
      expect(prepareStored(input), JSON.stringify(input)).toBe(saslprepModule(input, false));
    }
  });

  it('maps and rejects what RFC 4013 says', () => {
    expect(prepareQuery('I\u00adX')).toBe('IX');
    expect(prepareQuery('user')).toBe('user');
    expect(prepareQuery('a\u00a0b')).toBe('a b');
    expect(prepareQuery('\u2168')).toBe('IX');
    expect(prepareQuery('a\u0007')).toBeNull();
    expect(prepareQuery('')).toBeNull();
  });
});
