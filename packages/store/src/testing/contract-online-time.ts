import { describe, expect, it } from 'vitest';

import { compareKeys } from '../order.js';
import type { UserTotals } from '../types.js';
import {
  SQL_METACHARACTERS,
  changes,
  domain,
  jid,
  saveInNewPartition,
  uid,
  userState,
  type GetStore,
} from './fixtures.js';

export function onlineTimeContract(store: GetStore): void {
  describe('online time', () => {
    it('reads back the totals the accounting transaction saved, to the millisecond', async () => {
      const [a, b, none] = [jid(), jid(`t${SQL_METACHARACTERS}${uid()}`), jid()];
      const totals: UserTotals[] = [
        {
          jid: a,
          totalMs: 9_007_199_254_740_991,
          onlineSince: 1_700_000_000_001,
          lastLogin: 1_700_000_000_001,
          lastLogout: 1_699_999_999_999,
          balanceMs: 123_456,
        },
        { jid: b, totalMs: 0, onlineSince: null, lastLogin: null, lastLogout: null, balanceMs: null },
      ];
      await saveInNewPartition(store(), changes('1', { users: totals.map((t) => userState(t.jid, t)) }));
      const found = await store().onlineTime.getMany([a, b, none]);
      expect(found).toEqual(new Map(totals.map((t) => [t.jid, t])));
    });

    it('scans every row in pages ordered by jid', async () => {
      const host = domain();
      const ours = Array.from({ length: 7 }, () => jid(uid('scan'), host));
      await saveInNewPartition(
        store(),
        changes('1', { users: ours.map((u, i) => userState(u, { totalMs: i })) }),
      );
      const seen: string[] = [];
      for await (const page of store().onlineTime.scanAll(3)) {
        expect(page.length).toBeGreaterThan(0);
        expect(page.length).toBeLessThanOrEqual(3);
        seen.push(...page.map((t) => t.jid));
      }
      for (let i = 1; i < seen.length; i += 1)
        expect(compareKeys(seen[i - 1] as string, seen[i] as string)).toBe(-1);
      expect(seen.filter((u) => u.endsWith(`@${host}`))).toEqual([...ours].sort(compareKeys));
    });
  });
}
