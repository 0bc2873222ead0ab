import { createLogger } from '@onlinetime/logging';
import { describe, expect, it } from 'vitest';

import { createAuthThrottle } from './auth-throttle.js';

function throttle() {
  const clock = { t: 1_000_000 };
  const t = createAuthThrottle({
    failuresBeforeDelay: 2,
    delayMs: 100,
    failuresBeforeBlock: 5,
    windowMs: 60_000,
    blockMs: 30_000,
    logger: createLogger({ name: 'throttle-test', level: 'silent' }),
    now: () => clock.t,
    maxKeys: 3,
  });
  return { t, clock };
}

describe('auth throttle', () => {
  it('answers the first failures at once, then slows down, then refuses for a while', () => {
    const { t, clock } = throttle();
    const keys = ['ip:1.2.3.4', 'account:a@x'];
    expect([1, 2, 3, 4].map(() => t.recordFailure(keys))).toEqual([0, 0, 100, 200]);
    expect(t.blockedUntil(keys)).toBeNull();
    expect(t.recordFailure(keys)).toBe(300);
    expect(t.blockedUntil(['ip:1.2.3.4'])).toBe(clock.t + 30_000);
    expect(t.blockedUntil(['account:a@x'])).toBe(clock.t + 30_000);
    expect(t.blockedUntil(['ip:5.6.7.8'])).toBeNull();
    clock.t += 30_001;
    expect(t.blockedUntil(keys)).toBeNull();
    expect(t.recordFailure(keys)).toBe(0); // counting starts afresh after a block
  });

  it('forgets failures older than the window', () => {
    const { t, clock } = throttle();
    t.recordFailure(['ip:a']);
    t.recordFailure(['ip:a']);
    clock.t += 60_001;
    expect(t.recordFailure(['ip:a'])).toBe(0);
  });

  it('a success clears the account, not the address', () => {
    const { t } = throttle();
    for (let i = 0; i < 4; i++) t.recordFailure(['ip:a', 'account:u@x']);
    t.recordSuccess('account:u@x');
    expect(t.recordFailure(['account:u@x'])).toBe(0);
    expect(t.recordFailure(['ip:a'])).toBe(300);
  });

  it('bounds its memory', () => {
    const { t } = throttle();
    for (let i = 0; i < 10; i++) t.recordFailure([`ip:${i}`]);
    for (let i = 0; i < 4; i++) t.recordFailure(['ip:9']);
    expect(t.blockedUntil(['ip:9'])).not.toBeNull();
    expect(t.recordFailure(['ip:0'])).toBe(0); // evicted long ago
  });
});
