import { describe, expect, it } from 'vitest';

import { createBatchLookup } from './batch-lookup.js';
import { createFakeStore, totals } from './testing/fixtures.js';

const VCARD = '<vCard xmlns="vcard-temp"><FN>A</FN></vCard>';

describe('createBatchLookup', () => {
  it('reads a vCard and its owner totals in one query, and plain totals in their own', async () => {
    const store = createFakeStore({
      vcards: { 'a@x': VCARD },
      totals: [totals('a@x', { totalMs: 60_000 }), totals('b@x', { totalMs: 120_000 })],
    });
    const lookup = await createBatchLookup({
      store,
      needs: [{ vcardsWithTotals: ['a@x', 'b@x'] }, { totals: ['b@x'] }, { vcards: ['a@x'] }],
      now: 0,
      startedAt: 0,
    });

    expect(store.calls).toEqual({
      totals: [['b@x']],
      vcards: [],
      vcardsWithTotals: [['a@x', 'b@x']],
      puts: [],
    });
    expect(lookup.vcard('a@x')).toBe(VCARD);
    expect(lookup.totals('a@x')?.totalMs).toBe(60_000);
    // b has no vCard: its totals come from the plain read its online-time query asked for.
    expect(lookup.vcard('b@x')).toBeUndefined();
    expect(lookup.totals('b@x')?.totalMs).toBe(120_000);
  });

  it('refuses totals that no need asked for: a vCard-less owner has none from the paired read', async () => {
    const store = createFakeStore({ totals: [totals('c@x', { totalMs: 60_000 })] });
    const lookup = await createBatchLookup({
      store,
      needs: [{ vcardsWithTotals: ['c@x'] }],
      now: 0,
      startedAt: 0,
    });

    expect(lookup.vcard('c@x')).toBeUndefined();
    expect(() => lookup.totals('c@x')).toThrow(/online totals of c@x was not prefetched/);
  });

  it('after a vCard set, reads the owner totals that the paired read could not return', async () => {
    const store = createFakeStore({ totals: [totals('d@x', { totalMs: 180_000 })] });
    const lookup = await createBatchLookup({
      store,
      needs: [{ vcardsWithTotals: ['d@x'] }],
      now: 0,
      startedAt: 0,
    });

    await lookup.putVcard('d@x', VCARD);

    expect(lookup.vcard('d@x')).toBe(VCARD);
    expect(lookup.totals('d@x')?.totalMs).toBe(180_000);
    expect(store.calls.totals).toEqual([['d@x']]);
  });
});
