import { describe, expect, it } from 'vitest';

import type { SubscribeOptions } from './types.js';
import { validateSubscribeOptions } from './validate.js';

const base: SubscribeOptions = { groupId: 'g', topics: ['t'], handleBatch: () => Promise.resolve() };

describe('validateSubscribeOptions', () => {
  it('when the tuning options are within range, then they are accepted', () => {
    expect(() =>
      validateSubscribeOptions({
        ...base,
        concurrency: 12,
        commitIntervalMs: 0,
        batchWindowMs: 100,
        maxBytesPerFetch: 33_554_432,
      }),
    ).not.toThrow();
  });

  it.each([
    [{ concurrency: 0 }, /concurrency/],
    [{ concurrency: 1.5 }, /concurrency/],
    [{ commitIntervalMs: -1 }, /commitIntervalMs/],
    [{ commitIntervalMs: Number.NaN }, /commitIntervalMs/],
    [{ batchWindowMs: 0 }, /batchWindowMs/],
    [{ batchWindowMs: 60_000 }, /batchWindowMs/],
    [{ maxBytesPerFetch: 0 }, /maxBytesPerFetch/],
    [{ maxBytesPerFetch: 2 ** 31 }, /maxBytesPerFetch/],
  ])('when %j, then it is refused naming the option', (extra, message) => {
    expect(() => validateSubscribeOptions({ ...base, ...extra })).toThrow(message);
  });
});
