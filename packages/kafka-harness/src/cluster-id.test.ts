import { describe, expect, it } from 'vitest';

import { newClusterId } from './cluster-id.js';

describe('newClusterId', () => {
  it('when the random bytes would encode with a leading "-", then it draws again', () => {
    const draws = [Buffer.alloc(16, 0xfb), Buffer.alloc(16, 0x01)];
    const id = newClusterId(() => draws.shift() as Buffer);
    expect(Buffer.alloc(16, 0xfb).toString('base64url').startsWith('-')).toBe(true);
    expect(id).toBe(Buffer.alloc(16, 0x01).toString('base64url'));
    expect(draws).toEqual([]);
  });

  it('when drawn many times, then every id is 22 base64url characters that Kafka accepts', () => {
    for (let i = 0; i < 2_000; i++) expect(newClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});
