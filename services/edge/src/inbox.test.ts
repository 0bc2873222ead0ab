import { describe, expect, it } from 'vitest';

import { Inbox } from './inbox.js';

describe('inbox', () => {
  it('handles items one at a time, in order, signalling back-pressure', async () => {
    const log: string[] = [];
    let release: () => void = () => {};
    const inbox = new Inbox<number>({
      handle: async (n) => {
        log.push(`start ${n}`);
        if (n === 1) await new Promise<void>((r) => (release = r));
        log.push(`end ${n}`);
      },
      high: 2,
      low: 1,
      onHigh: () => log.push('high'),
      onLow: () => log.push('low'),
      onError: () => log.push('error'),
    });
    for (const n of [1, 2, 3, 4]) inbox.push(n);
    expect(log).toEqual(['start 1', 'high']);
    release();
    await new Promise((r) => setTimeout(r, 10));
    expect(log).toEqual([
      'start 1',
      'high',
      'end 1',
      'start 2',
      'end 2',
      'start 3',
      'end 3',
      'start 4',
      'end 4',
      'low',
    ]);
  });

  it('stops at the first failing handler', async () => {
    const seen: number[] = [];
    const errors: unknown[] = [];
    const inbox = new Inbox<number>({
      handle: (n) => {
        seen.push(n);
        if (n === 2) throw new Error('bug');
      },
      high: 10,
      low: 1,
      onHigh: () => {},
      onLow: () => {},
      onError: (err) => errors.push(err),
    });
    for (const n of [1, 2, 3]) inbox.push(n);
    await new Promise((r) => setTimeout(r, 10));
    inbox.push(4);
    expect(seen).toEqual([1, 2]);
    expect(errors).toHaveLength(1);
  });
});
