import type { EdgeBoot } from '@onlinetime/store';

export type ReapCause = 'stopped' | 'replaced' | 'timeout';

export interface ReapTarget {
  readonly edgeId: string;
  readonly bootId: string;
  /** Time of the stops: the boot's stop, else its last heartbeat. */
  readonly at: number;
  readonly cause: ReapCause;
}

export interface SweepPlanInput {
  readonly boots: readonly EdgeBoot[];
  readonly openBoots: ReadonlyArray<{ edgeId: string; bootId: string }>;
  readonly now: number;
  readonly heartbeatTimeoutMs: number;
}

export interface SweepPlan {
  readonly targets: ReapTarget[];
  /** Boots with open sessions that the reaper never heard of: their last heartbeat is unknown. */
  readonly unknown: Array<{ edgeId: string; bootId: string }>;
}

const keyOf = (edgeId: string, bootId: string): string => `${edgeId}\u0000${bootId}`;

/**
 * Decides which boots with open sessions are dead. A boot is dead when it stopped, when its edge
 * started again with a newer boot, or when its last heartbeat is older than the timeout. Nothing
 * is guessed for a boot without any record.
 */
export function planSweep(input: SweepPlanInput): SweepPlan {
  const byKey = new Map(input.boots.map((b) => [keyOf(b.edgeId, b.bootId), b]));
  const newestStart = new Map<string, number>();
  for (const b of input.boots)
    newestStart.set(b.edgeId, Math.max(newestStart.get(b.edgeId) ?? -Infinity, b.startedAt));
  const targets: ReapTarget[] = [];
  const unknown: Array<{ edgeId: string; bootId: string }> = [];
  for (const { edgeId, bootId } of input.openBoots) {
    const boot = byKey.get(keyOf(edgeId, bootId));
    if (boot === undefined) {
      unknown.push({ edgeId, bootId });
      continue;
    }
    if (boot.stoppedAt !== null) {
      targets.push({ edgeId, bootId, at: boot.stoppedAt, cause: 'stopped' });
    } else if ((newestStart.get(edgeId) ?? -Infinity) > boot.startedAt) {
      targets.push({ edgeId, bootId, at: boot.lastHeartbeat, cause: 'replaced' });
    } else if (input.now - boot.lastHeartbeat > input.heartbeatTimeoutMs) {
      targets.push({ edgeId, bootId, at: boot.lastHeartbeat, cause: 'timeout' });
    }
  }
  return { targets, unknown };
}
