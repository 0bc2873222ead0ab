/** AccountingRepository over the memory tables: same semantics as the MySQL one, one mutex per partition. */
import type { FinishedSession, OpenSession } from '@onlinetime/accounting';

import { transactionClosedError } from '../errors.js';
import { compareKeys } from '../order.js';
import type {
  AccountingChanges,
  AccountingRepository,
  AccountingTransaction,
  PartitionKey,
} from '../types.js';
import { checkChanges, checkLimit, checkLookup, checkPartitionKey } from '../validate-records.js';
import { checkLookupKey } from '../validate-values.js';
import { createKeyedMutex } from './keyed-mutex.js';
import {
  applyChanges,
  byStart,
  loadUserStates,
  partitionKeyString,
  viewWith,
  type MemoryTables,
} from './tables.js';

export function createMemoryAccounting(tables: MemoryTables, assertOpen: () => void): AccountingRepository {
  const mutex = createKeyedMutex();

  async function inPartitionTransaction<T>(
    rawKey: PartitionKey,
    work: (tx: AccountingTransaction) => Promise<T>,
  ): Promise<T> {
    assertOpen();
    const key = checkPartitionKey(rawKey);
    const id = partitionKeyString(key);
    return mutex.run(id, async () => {
      assertOpen();
      if (!tables.offsets.has(id)) tables.offsets.set(id, null);
      const staged: AccountingChanges[] = [];
      let open = true;
      const guard = (): void => {
        if (!open) throw transactionClosedError();
        assertOpen();
      };
      const tx: AccountingTransaction = {
        storedOffset: tables.offsets.get(id) ?? null,
        storedWriter: tables.offsetWriters.get(id) ?? null,
        async loadUsers(jids) {
          guard();
          return loadUserStates(viewWith(tables, key, staged), checkLookup('jids', jids));
        },
        async loadFinished(sessionIds) {
          guard();
          const log = viewWith(tables, key, staged).sessionLog;
          return new Set(checkLookup('sessionIds', sessionIds).filter((id) => log.has(id)));
        },
        async save(changes) {
          guard();
          staged.push(checkChanges(changes));
        },
      };
      try {
        const result = await work(tx);
        guard();
        for (const changes of staged) applyChanges(tables, key, changes);
        return result;
      } finally {
        open = false;
      }
    });
  }

  return {
    inPartitionTransaction,
    async openSessionsOfBoot(edgeId, bootId): Promise<OpenSession[]> {
      assertOpen();
      const [edge, boot] = [checkLookupKey('edgeId', edgeId), checkLookupKey('bootId', bootId)];
      return [...tables.openSessions.values()]
        .filter((s) => s.edgeId === edge && s.bootId === boot)
        .sort(byStart)
        .map((s) => ({ ...s }));
    },
    async openBoots() {
      assertOpen();
      const counts = new Map<string, { edgeId: string; bootId: string; sessions: number }>();
      for (const s of tables.openSessions.values()) {
        const id = JSON.stringify([s.edgeId, s.bootId]);
        const entry = counts.get(id) ?? { edgeId: s.edgeId, bootId: s.bootId, sessions: 0 };
        entry.sessions += 1;
        counts.set(id, entry);
      }
      return [...counts.values()].sort(
        (a, b) => compareKeys(a.edgeId, b.edgeId) || compareKeys(a.bootId, b.bootId),
      );
    },
    async sessionLog(jid, limit): Promise<FinishedSession[]> {
      assertOpen();
      const user = checkLookupKey('jid', jid);
      const max = checkLimit('limit', limit, 100_000);
      return [...tables.sessionLog.values()]
        .filter((s) => s.jid === user)
        .sort((a, b) => b.stoppedAt - a.stoppedAt || compareKeys(b.sessionId, a.sessionId))
        .slice(0, max)
        .map((s) => ({ ...s }));
    },
  };
}
