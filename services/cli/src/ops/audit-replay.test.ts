import { emptyUserState, type UserState } from '@onlinetime/accounting';
import { describe, expect, it } from 'vitest';

import { mergeReplays, splitPartitions, type AuditReplay } from './audit-replay.js';
import type { PartitionMarks } from './replay-sessions.js';

const mark = (partition: number, low: number, high: number): PartitionMarks => ({
  partition,
  low: String(low),
  high: String(high),
});

const part = (jids: string[], read: number, samples = 0): AuditReplay => ({
  users: new Map<string, UserState>(jids.map((jid) => [jid, { ...emptyUserState(jid), totalMs: read }])),
  stats: {
    read,
    applied: read,
    invalid: samples,
    invalidSamples: Array.from({ length: samples }, (_, i) => ({
      partition: 0,
      offset: String(i),
      error: 'bad',
    })),
    outsideWindow: 1,
  },
});

describe('splitPartitions', () => {
  it('deals the partitions holding messages to groups of about equal size', () => {
    const marks = [mark(0, 0, 100), mark(1, 0, 10), mark(2, 50, 50), mark(3, 0, 90), mark(4, 0, 20)];
    const groups = splitPartitions(marks, 2);
    expect(groups.map((g) => g.map((m) => m.partition))).toEqual([
      [0, 1],
      [3, 4],
    ]);
  });

  it('makes no more groups than partitions with messages', () => {
    expect(splitPartitions([mark(0, 0, 5), mark(1, 3, 3)], 4)).toEqual([[mark(0, 0, 5)]]);
    expect(splitPartitions([mark(0, 7, 7)], 2)).toEqual([]);
  });
});

describe('mergeReplays', () => {
  it('joins the users of every part and sums the statistics', () => {
    const merged = mergeReplays([part(['a@x', 'b@x'], 10, 15), part(['c@x'], 5, 10)]);
    expect([...(merged?.users.keys() ?? [])]).toEqual(['a@x', 'b@x', 'c@x']);
    expect(merged?.users.get('c@x')?.totalMs).toBe(5);
    expect(merged?.stats).toMatchObject({ read: 15, applied: 15, invalid: 25, outsideWindow: 2 });
    // The report keeps the first 20 samples, as one reader would.
    expect(merged?.stats.invalidSamples).toHaveLength(20);
  });

  it('refuses to merge when one user appears in two parts', () => {
    expect(mergeReplays([part(['a@x'], 1), part(['a@x'], 1)])).toBeNull();
  });
});
