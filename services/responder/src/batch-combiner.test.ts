import { describe, expect, it } from 'vitest';

import { createBatchCombiner } from './batch-combiner.js';

describe('createBatchCombiner', () => {
  it('when items arrive in the same turn, then they are handled together, in arrival order', async () => {
    const calls: number[][] = [];
    const combine = createBatchCombiner<number>(async (items) => {
      calls.push([...items]);
    });
    await Promise.all([combine(1), combine(2), Promise.resolve().then(() => combine(3))]);
    await combine(4);
    expect(calls).toEqual([[1, 2, 3], [4]]);
  });

  it('when the combined work fails, then every item of it rejects with that error', async () => {
    const boom = new Error('store down');
    const combine = createBatchCombiner<number>(() => Promise.reject(boom));
    const results = await Promise.allSettled([combine(1), combine(2)]);
    expect(results).toEqual([
      { status: 'rejected', reason: boom },
      { status: 'rejected', reason: boom },
    ]);
  });

  it('when an item arrives while earlier ones are being handled, then it goes in the next unit', async () => {
    const calls: number[][] = [];
    let release: () => void = () => {};
    const combine = createBatchCombiner<number>(async (items) => {
      calls.push([...items]);
      if (items[0] === 1) await new Promise<void>((r) => (release = r));
    });
    const first = combine(1);
    await new Promise((r) => setImmediate(r));
    const second = combine(2);
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([[1], [2]]);
    release();
    await Promise.all([first, second]);
  });
});
