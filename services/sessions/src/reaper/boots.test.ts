import { describe, expect, it } from 'vitest';

import { edgeEvent } from '../testing/events.js';
import { foldEdgeEvents } from './boots.js';

describe('foldEdgeEvents', () => {
  it('folds a batch into one row per boot with its start, last sign of life and stop', () => {
    const boots = foldEdgeEvents([
      edgeEvent('edge.heartbeat', 'e1', 'b1', 5_000),
      edgeEvent('edge.started', 'e2', 'b2', 1_000),
      edgeEvent('edge.heartbeat', 'e1', 'b1', 10_000),
      edgeEvent('edge.heartbeat', 'e2', 'b2', 6_000),
      edgeEvent('edge.heartbeat', 'e1', 'b1', 9_000),
      edgeEvent('edge.stopped', 'e2', 'b2', 7_000),
    ]);
    expect(boots).toEqual([
      { edgeId: 'e1', bootId: 'b1', startedAt: 5_000, lastHeartbeat: 10_000, stoppedAt: null },
      { edgeId: 'e2', bootId: 'b2', startedAt: 1_000, lastHeartbeat: 7_000, stoppedAt: 7_000 },
    ]);
  });
});
