/**
 * User states this worker committed, per partition, so that a batch reads from MySQL only the users
 * it has not seen yet. A partition's states are trusted only while its consumer_offsets row (read
 * under the row lock, in the batch's own transaction) still holds the offset AND the writer token of
 * this worker's last commit there: another worker writes its own token, a rebuild's swap or an offset
 * reset leaves NULL, so the states are dropped and reloaded. Users are keyed to one partition each
 * (records are keyed by bare JID), so no other partition's transaction writes the rows cached here.
 */
import { randomUUID } from 'node:crypto';

import type { UserState } from '@onlinetime/accounting';

/** Default bound on cached users over all partitions: a few hundred bytes each, ~25 MB in all. */
export const DEFAULT_MAX_CACHED_USERS = 100_000;

export interface CachedPartition {
  /** The offset this worker committed with these states. */
  readonly offset: string;
  /** In least-recently-used order: a batch moves the users it touches to the end. */
  readonly states: Map<string, UserState>;
}

export interface UserCache {
  /** Written with every offset this worker commits; random per cache, so per worker process. */
  readonly writer: string;
  /** Bumped by clear(): a batch that began before it must not put its states back. */
  readonly epoch: number;
  /**
   * Removes and returns the partition's states (the batch owns them now, so an error or rollback
   * simply never returns them). Null when there are none.
   */
  take(partition: number): CachedPartition | null;
  /** Whether taken states may be used in a transaction that read this offset row. */
  validFor(cached: CachedPartition, storedOffset: string | null, storedWriter: string | null): boolean;
  /** After a commit at `offset`: the partition's states as committed. Ignored when stale (`epoch`). */
  put(partition: number, epoch: number, offset: string, states: Map<string, UserState>): void;
  /** A rebalance, a stop: forget every partition. */
  clear(): void;
  /** Users cached now, over all partitions. */
  readonly size: number;
}

export function createUserCache(maxUsers: number = DEFAULT_MAX_CACHED_USERS): UserCache {
  const writer = randomUUID();
  const partitions = new Map<number, CachedPartition>();
  let epoch = 0;
  let size = 0;

  return {
    writer,
    get epoch() {
      return epoch;
    },
    get size() {
      return size;
    },
    take(partition) {
      const cached = partitions.get(partition);
      if (cached === undefined) return null;
      partitions.delete(partition);
      size -= cached.states.size;
      return cached;
    },
    validFor(cached, storedOffset, storedWriter) {
      return storedOffset === cached.offset && storedWriter === writer;
    },
    put(partition, putEpoch, offset, states) {
      if (putEpoch !== epoch || maxUsers <= 0) return;
      const previous = partitions.get(partition);
      if (previous !== undefined) size -= previous.states.size;
      // Over the bound: the least recently used users of this partition go first.
      for (const jid of states.keys()) {
        if (size + states.size <= maxUsers) break;
        states.delete(jid);
      }
      partitions.set(partition, { offset, states });
      size += states.size;
    },
    clear() {
      partitions.clear();
      size = 0;
      epoch += 1;
    },
  };
}
