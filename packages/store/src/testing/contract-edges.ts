import { describe, expect, it } from 'vitest';

import type { EdgeBoot } from '../types.js';
import { uid, type GetStore } from './fixtures.js';

export function edgesContract(store: GetStore): void {
  describe('edges', () => {
    const ofEdge = async (edgeId: string): Promise<EdgeBoot[]> =>
      (await store().edges.all()).filter((b) => b.edgeId === edgeId);

    it('records boots; heartbeats only move forward and a stop is kept', async () => {
      const edgeId = uid('edge');
      const boot: EdgeBoot = {
        edgeId,
        bootId: 'b1',
        startedAt: 1_000,
        lastHeartbeat: 1_000,
        stoppedAt: null,
      };
      await store().edges.record([boot, { ...boot, bootId: 'b0', startedAt: 500, lastHeartbeat: 600 }]);
      expect(await ofEdge(edgeId)).toEqual([
        { ...boot, bootId: 'b0', startedAt: 500, lastHeartbeat: 600 },
        boot,
      ]);

      await store().edges.record([{ ...boot, lastHeartbeat: 5_000 }]);
      await store().edges.record([{ ...boot, startedAt: 4_000, lastHeartbeat: 3_000 }]); // late, out of order
      expect((await ofEdge(edgeId))[1]).toEqual({ ...boot, lastHeartbeat: 5_000 });

      await store().edges.record([{ ...boot, lastHeartbeat: 6_000, stoppedAt: 6_000 }]);
      await store().edges.record([{ ...boot, lastHeartbeat: 5_500, stoppedAt: null }]);
      expect((await ofEdge(edgeId))[1]).toEqual({ ...boot, lastHeartbeat: 6_000, stoppedAt: 6_000 });
    });

    it('merges repeated boots within one call in order', async () => {
      const edgeId = uid('edge');
      const boot: EdgeBoot = { edgeId, bootId: 'b', startedAt: 10, lastHeartbeat: 10, stoppedAt: null };
      await store().edges.record([
        { ...boot, lastHeartbeat: 30 },
        { ...boot, lastHeartbeat: 20 },
        { ...boot, startedAt: 5, lastHeartbeat: 25 },
      ]);
      expect(await ofEdge(edgeId)).toEqual([{ ...boot, startedAt: 5, lastHeartbeat: 30 }]);
      await store().edges.record([]);
    });
  });
}
