import { performance } from 'node:perf_hooks';

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
