import { describe, expect, it } from 'vitest';

import { planSweep } from './plan.js';

const boot = (
  edgeId: string,
  bootId: string,
  startedAt: number,
  lastHeartbeat: number,
  stoppedAt: number | null = null,
) => ({
  edgeId,
  bootId,
  startedAt,
  lastHeartbeat,
  stoppedAt,
});

describe('planSweep', () => {
  it('reaps stopped, replaced and timed-out boots at their stop or last heartbeat, and nothing else', () => {
    const plan = planSweep({
      boots: [
        boot('e1', 'old', 0, 40_000),
        boot('e1', 'new', 50_000, 99_000),
        boot('e2', 'b', 0, 84_999),
        boot('e3', 'b', 0, 85_000),
        boot('e4', 'b', 0, 20_000, 30_000),
      ],
      openBoots: [
        { edgeId: 'e1', bootId: 'old' },
        { edgeId: 'e1', bootId: 'new' },
        { edgeId: 'e2', bootId: 'b' },
        { edgeId: 'e3', bootId: 'b' },
        { edgeId: 'e4', bootId: 'b' },
        { edgeId: 'e5', bootId: 'ghost' },
      ],
      now: 100_000,
      heartbeatTimeoutMs: 15_000,
    });
    expect(plan.targets).toEqual([
      { edgeId: 'e1', bootId: 'old', at: 40_000, cause: 'replaced' },
      { edgeId: 'e2', bootId: 'b', at: 84_999, cause: 'timeout' },
      { edgeId: 'e4', bootId: 'b', at: 30_000, cause: 'stopped' },
    ]);
    expect(plan.unknown).toEqual([{ edgeId: 'e5', bootId: 'ghost' }]);
  });
});
