import { describe, expect, it } from 'vitest';

import { randomNonce } from './nonce.js';
import { isPrintableNonce } from './scram-messages.js';

describe('randomNonce', () => {
  it('gives 18 fresh random bytes each time, as printable base64, across pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1_000; i += 1) {
      const nonce = randomNonce();
      expect(nonce).toMatch(/^[A-Za-z0-9+/]{24}$/);
      expect(Buffer.from(nonce, 'base64')).toHaveLength(18);
      expect(isPrintableNonce(nonce)).toBe(true);
      seen.add(nonce);
    }
    expect(seen.size).toBe(1_000);
  });
});
