import { describe, expect, it } from 'vitest';

import { PendingIqs, type PendingIq } from './pending-iqs.js';

describe('pending IQs', () => {
  it('answers each IQ once: by take() or by the timeout', async () => {
    const timedOut: PendingIq[] = [];
    const pending = new PendingIqs({ timeoutMs: 20, maxPerSession: 2, onTimeout: (iq) => timedOut.push(iq) });
    expect(pending.add('s1', 'a', 'bob@x')).toBe('added');
    expect(pending.add('s1', 'b', undefined)).toBe('added');
    expect(pending.add('s1', 'a', undefined)).toBe('duplicate');
    expect(pending.add('s1', 'c', undefined)).toBe('full');
    expect(pending.add('s2', 'a', undefined)).toBe('added');
    expect(pending.take('s1', 'a')?.to).toBe('bob@x');
    expect(pending.take('s1', 'a')).toBeUndefined();
    pending.dropSession('s2');
    await new Promise((r) => setTimeout(r, 50));
    expect(timedOut.map((iq) => `${iq.sessionId}/${iq.id}`)).toEqual(['s1/b']);
    expect(pending.take('s1', 'b')).toBeUndefined();
    expect(pending.count()).toBe(0);
  });
});
