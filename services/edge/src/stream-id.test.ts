import { describe, expect, it } from 'vitest';

import { newStreamId } from './stream-id.js';

describe('newStreamId', () => {
  it('gives 24 hex digits, never the same twice across pool refills', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const id = newStreamId();
      expect(id).toMatch(/^[0-9a-f]{24}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(2_000);
  });
});
