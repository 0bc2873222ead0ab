import { performance } from 'node:perf_hooks';

import type { Bus } from '@onlinetime/bus';
import { TOPICS } from '@onlinetime/events';

/**
 * How far the reaper has read xmpp.edges since its last assignment. A timeout verdict is only fair
 * once every heartbeat published before the sweep began has been recorded.
 */
export interface EdgesProgress {
  /** Next offset to read (last recorded + 1), or null when this process has recorded nothing yet. */
  readonly next: bigint | null;
  /** Milliseconds (monotonic) since the last assignment. */
  sinceAssignmentMs(): number;
  /** Everything below `next` is recorded in the store (by any member), so `next` survives rebalances. */
  advance(next: bigint): void;
  assigned(): void;
  /** Resolves true once `next >= offset`, false after `timeoutMs`. */
  reach(offset: bigint, timeoutMs: number): Promise<boolean>;
}

export function createEdgesProgress(): EdgesProgress {
  let next: bigint | null = null;
  let assignedAt = performance.now();
  const waiters = new Set<{ offset: bigint; resolve: (ok: boolean) => void }>();
  const settle = (): void => {
    for (const waiter of waiters) {
      if (next !== null && next >= waiter.offset) {
        waiters.delete(waiter);
        waiter.resolve(true);
      }
    }
  };
  return {
    get next() {
      return next;
    },
    sinceAssignmentMs: () => performance.now() - assignedAt,
    advance(offset) {
      if (next === null || offset > next) next = offset;
      settle();
    },
    assigned() {
      assignedAt = performance.now();
    },
    reach(offset, timeoutMs) {
      if (next !== null && next >= offset) return Promise.resolve(true);
      return new Promise((resolve) => {
        const waiter = {
          offset,
          resolve: (ok: boolean) => {
            clearTimeout(timer);
            resolve(ok);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          resolve(false);
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
  };
}

/**
 * True once every xmpp.edges message published before the call is recorded: waits up to `waitMs`
 * for the consumer to reach the high watermark seen now. A member that got nothing delivered for a
 * whole timeout since its assignment had nothing left to read (its group's commit is at the end).
 */
export async function caughtUp(
  bus: Bus,
  progress: EdgesProgress,
  waitMs: number,
  heartbeatTimeoutMs: number,
): Promise<boolean> {
  const [description] = await bus.describeTopics([TOPICS.edges]);
  const partition = description?.partitions.find((p) => p.partition === 0);
  if (partition === undefined) return false;
  const high = BigInt(partition.high);
  if (BigInt(partition.low) === high) return true;
  if (await progress.reach(high, waitMs)) return true;
  return progress.next === null && progress.sinceAssignmentMs() >= heartbeatTimeoutMs;
}
