import { emptyUserState, type UserState } from '@onlinetime/accounting';
import { describe, expect, it } from 'vitest';

import { createUserCache } from './user-cache.js';

const states = (...jids: string[]) => new Map<string, UserState>(jids.map((j) => [j, emptyUserState(j)]));

describe('createUserCache', () => {
  it('hands a partition out once and trusts it only at its own offset and token', () => {
    const cache = createUserCache(10);
    cache.put(0, cache.epoch, '7', states('a', 'b'));
    expect(cache.size).toBe(2);
    const taken = cache.take(0);
    expect(taken?.offset).toBe('7');
    expect(cache.take(0)).toBeNull();
    expect(cache.size).toBe(0);
    if (taken === null) throw new Error('unreachable');
    expect(cache.validFor(taken, '7', cache.writer)).toBe(true);
    expect(cache.validFor(taken, '8', cache.writer)).toBe(false);
    expect(cache.validFor(taken, '7', null)).toBe(false);
    expect(cache.validFor(taken, '7', 'someone-else')).toBe(false);
    expect(cache.validFor(taken, null, cache.writer)).toBe(false);
  });

  it('gives every cache its own writer token', () => {
    expect(createUserCache().writer).not.toBe(createUserCache().writer);
  });

  it('ignores states of a batch that began before a clear', () => {
    const cache = createUserCache(10);
    const epoch = cache.epoch;
    cache.clear();
    cache.put(0, epoch, '3', states('a'));
    expect(cache.take(0)).toBeNull();
  });

  it('keeps within its bound by dropping the least recently used users first', () => {
    const cache = createUserCache(3);
    cache.put(0, cache.epoch, '1', states('a', 'b'));
    cache.put(1, cache.epoch, '1', states('c', 'd'));
    expect(cache.size).toBe(3);
    expect([...(cache.take(1)?.states.keys() ?? [])]).toEqual(['d']);
    cache.put(0, cache.epoch, '2', states('a', 'b', 'e', 'f'));
    expect([...(cache.take(0)?.states.keys() ?? [])]).toEqual(['b', 'e', 'f']);
  });

  it('caches nothing with a bound of 0', () => {
    const cache = createUserCache(0);
    cache.put(0, cache.epoch, '1', states('a'));
    expect(cache.take(0)).toBeNull();
  });
});
