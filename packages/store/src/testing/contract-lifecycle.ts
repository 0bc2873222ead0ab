import { describe, expect, it } from 'vitest';

import {
  changes,
  finished,
  jid,
  openSession,
  partitionKey,
  rejection,
  saveInNewPartition,
  tombstone,
  uid,
  userState,
  type GetStore,
} from './fixtures.js';

export function transactionLifecycleContract(store: GetStore): void {
  describe('accounting transaction lifecycle', () => {
    it('sees its own saves before commit', async () => {
      const user = jid();
      const s = openSession(user);
      await store().accounting.inPartitionTransaction(partitionKey(), async (tx) => {
        await tx.save(changes('1', { users: [userState(user, { totalMs: 5 })], opened: [s] }));
        expect((await tx.loadUsers([user])).get(user)).toEqual(userState(user, { totalMs: 5, open: [s] }));
        await tx.save(changes('2', { finished: [finished(s, s.startedAt + 1)] }));
        expect(await tx.loadFinished([s.sessionId])).toEqual(new Set([s.sessionId]));
      });
    });

    it('rolls everything back when the work throws', async () => {
      const user = jid();
      const s = openSession(user, { edgeId: uid('edge') });
      const key = partitionKey();
      const failure = new Error('worker crashed');
      const err = await rejection(
        store().accounting.inPartitionTransaction(key, async (tx) => {
          await tx.save(
            changes('10', {
              users: [userState(user, { totalMs: 7 })],
              opened: [s],
              finished: [tombstone(user)],
            }),
          );
          throw failure;
        }),
      );
      expect(err).toBe(failure);
      await store().accounting.inPartitionTransaction(key, async (tx) => {
        expect(tx.storedOffset).toBeNull();
        expect((await tx.loadUsers([user])).get(user)).toEqual(userState(user));
      });
      expect(await store().onlineTime.getMany([user])).toEqual(new Map());
      expect(await store().accounting.openSessionsOfBoot(s.edgeId, s.bootId)).toEqual([]);
      expect(await store().accounting.sessionLog(user, 5)).toEqual([]);
    });

    it('rejects invalid changes and commits none of them', async () => {
      const user = jid();
      const key = partitionKey();
      const err = await rejection(
        store().accounting.inPartitionTransaction(key, (tx) =>
          tx.save(changes('-1', { users: [userState(user, { totalMs: 1 })] })),
        ),
      );
      expect(err).toMatchObject({ code: 'STORE_INVALID_VALUE' });
      expect(await store().onlineTime.getMany([user])).toEqual(new Map());
    });

    it('refuses use of a transaction after it ended', async () => {
      const tx = await store().accounting.inPartitionTransaction(partitionKey(), async (t) => t);
      expect(await rejection(tx.loadUsers([jid()]))).toMatchObject({ code: 'STORE_TRANSACTION_CLOSED' });
      expect(await rejection(tx.save(changes('1')))).toMatchObject({ code: 'STORE_TRANSACTION_CLOSED' });
    });
  });

  describe('open sessions by edge boot', () => {
    it('lists open sessions of a boot and counts them per boot', async () => {
      const edge = uid('edge');
      const [a, b] = [jid(), jid()];
      const s1 = openSession(a, { edgeId: edge, bootId: 'b1', startedAt: 30 });
      const s2 = openSession(b, { edgeId: edge, bootId: 'b1', startedAt: 10 });
      const s3 = openSession(a, { edgeId: edge, bootId: 'b2', startedAt: 20 });
      const key = await saveInNewPartition(store(), changes('3', { opened: [s1, s2, s3] }));
      expect(await store().accounting.openSessionsOfBoot(edge, 'b1')).toEqual([s2, s1]);
      expect(await store().accounting.openSessionsOfBoot(edge, 'b3')).toEqual([]);
      const boots = async () => (await store().accounting.openBoots()).filter((x) => x.edgeId === edge);
      expect(await boots()).toEqual([
        { edgeId: edge, bootId: 'b1', sessions: 2 },
        { edgeId: edge, bootId: 'b2', sessions: 1 },
      ]);
      await store().accounting.inPartitionTransaction(key, (tx) =>
        tx.save(changes('4', { finished: [finished(s3, 40)] })),
      );
      expect(await boots()).toEqual([{ edgeId: edge, bootId: 'b1', sessions: 2 }]);
    });
  });
}
