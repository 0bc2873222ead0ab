import { emptyUserState, type UserState } from '@onlinetime/accounting';
import type { UserTotals } from '@onlinetime/store';
import { describe, expect, it } from 'vitest';

import { compareTotals } from './compare-totals.js';

const state = (jid: string, over: Partial<UserState> = {}): UserState => ({
  ...emptyUserState(jid),
  ...over,
});
const row = (jid: string, over: Partial<UserTotals> = {}): UserTotals => ({
  jid,
  totalMs: 0,
  onlineSince: null,
  lastLogin: null,
  lastLogout: null,
  balanceMs: null,
  ...over,
});

async function* pages(...p: UserTotals[][]): AsyncGenerator<UserTotals[]> {
  for (const page of p) yield page;
}

describe('compareTotals', () => {
  it('finds no difference when both sides agree, last login/logout aside', async () => {
    const recomputed = new Map([['a@x', state('a@x', { totalMs: 5, lastLogin: 1 })]]);
    const result = await compareTotals(recomputed, pages([row('a@x', { totalMs: 5, lastLogin: 2 })]), 10);
    expect(result).toEqual({ checked: 1, differing: 0, differences: [] });
  });

  it('reports each differing field with both values, users on one side only included', async () => {
    const recomputed = new Map([
      ['a@x', state('a@x', { totalMs: 5, onlineSince: 7 })],
      ['b@x', state('b@x', { balanceMs: 60_000, totalMs: 60_000 })],
      ['empty@x', state('empty@x')],
    ]);
    const live = pages(
      [row('a@x', { totalMs: 6, onlineSince: 7 })],
      [row('c@x', { totalMs: 1 }), row('zero@x')],
    );
    const result = await compareTotals(recomputed, live, 10);
    expect(result.checked).toBe(5);
    expect(result.differing).toBe(3);
    expect(result.differences).toEqual([
      {
        jid: 'a@x',
        fields: ['totalMs'],
        live: { totalMs: 6, onlineSince: 7, balanceMs: null },
        log: { totalMs: 5, onlineSince: 7, balanceMs: null },
      },
      {
        jid: 'c@x',
        fields: ['totalMs'],
        live: { totalMs: 1, onlineSince: null, balanceMs: null },
        log: null,
      },
      {
        jid: 'b@x',
        fields: ['totalMs', 'balanceMs'],
        live: null,
        log: { totalMs: 60_000, onlineSince: null, balanceMs: 60_000 },
      },
    ]);
  });

  it('counts every difference but keeps only the first ones', async () => {
    const live = pages(Array.from({ length: 5 }, (_, i) => row(`u${i}@x`, { totalMs: 1 })));
    const result = await compareTotals(new Map(), live, 2);
    expect(result.differing).toBe(5);
    expect(result.differences.map((d) => d.jid)).toEqual(['u0@x', 'u1@x']);
  });
});
