import { describe, expect, it } from 'vitest';

import { el } from '../xml.js';
import { createParsedVcardCache } from './vcard-cache.js';

describe('createParsedVcardCache', () => {
  it('when the same stored text is asked again, then the built element is reused; other text builds anew', () => {
    const cache = createParsedVcardCache({ maxEntries: 10, maxChars: 1_000 });
    let builds = 0;
    const build = (name: string) => () => {
      builds += 1;
      return el('vCard', {}, el(name));
    };
    const first = cache.get('<vCard><FN/></vCard>', build('FN'));
    expect(cache.get('<vCard><FN/></vCard>', build('FN'))).toBe(first);
    const other = cache.get('<vCard><NICKNAME/></vCard>', build('NICKNAME'));
    expect(other).not.toBe(first);
    expect(builds).toBe(2);
  });

  it('when over its entry or size bound, then the least recently used entries go first', () => {
    const cache = createParsedVcardCache({ maxEntries: 2, maxChars: 10 });
    let builds = 0;
    const build = () => {
      builds += 1;
      return el('vCard');
    };
    cache.get('aaa', build);
    cache.get('bbb', build);
    cache.get('aaa', build); // aaa is now the most recent
    cache.get('ccc', build); // evicts bbb
    expect(cache.size).toBe(2);
    expect(builds).toBe(3);
    cache.get('aaa', build);
    expect(builds).toBe(3);
    cache.get('bbb', build);
    expect(builds).toBe(4);
    cache.get('0123456789X', build); // larger than maxChars: built, never kept
    cache.get('0123456789X', build);
    expect(builds).toBe(6);
    cache.get('12345678', build); // 8 chars: the rest must go to stay within 10
    expect(cache.size).toBe(1);
  });
});
