import { describe, expect, it } from 'vitest';

import {
  changes,
  finished,
  jid,
  openSession,
  partitionKey,
  saveInNewPartition,
  tombstone,
  uid,
  userState,
  type GetStore,
} from './fixtures.js';

export function accountingContract(store: GetStore): void {
  describe('accounting transaction', () => {
    it('saves states and open sessions and loads them back in start order', async () => {
      const [alice, bob, nobody] = [jid(), jid(), jid()];
      const late = openSession(alice, { startedAt: 1_700_000_005_000, resource: 'laptop', ip: null });
      const early = openSession(alice, { startedAt: 1_700_000_001_000, resource: 'phøne 📱' });
      const aliceState = userState(alice, {
        onlineSince: 1_700_000_001_000,
        lastLogin: 1_700_000_005_000,
        totalMs: 42,
        open: [late, early],
      });
      const bobState = userState(bob, { totalMs: 3_600_000, lastLogin: 1, lastLogout: 2, balanceMs: 60_000 });
      const key = await saveInNewPartition(
        store(),
        changes('17', { users: [aliceState, bobState], opened: [late, early] }),
      );

      const loaded = await store().accounting.inPartitionTransaction(key, async (tx) => {
        expect(tx.storedOffset).toBe('17');
        return tx.loadUsers([alice, bob, nobody]);
      });
      expect(loaded).toEqual(
        new Map([
          [alice, { ...aliceState, open: [early, late] }],
          [bob, bobState],
          [nobody, userState(nobody)],
        ]),
      );
    });

    it('overwrites the stored state of a user on later saves', async () => {
      const user = jid();
      const key = await saveInNewPartition(
        store(),
        changes('1', {
          users: [userState(user, { totalMs: 5, onlineSince: 10, lastLogin: 10, balanceMs: 7 })],
        }),
      );
      const later = userState(user, {
        totalMs: 99,
        onlineSince: null,
        lastLogin: 10,
        lastLogout: 50,
        balanceMs: null,
      });
      await store().accounting.inPartitionTransaction(key, (tx) => tx.save(changes('2', { users: [later] })));
      expect(await store().onlineTime.getMany([user])).toEqual(
        new Map([
          [
            user,
            { jid: user, totalMs: 99, onlineSince: null, lastLogin: 10, lastLogout: 50, balanceMs: null },
          ],
        ]),
      );
    });

    it('starts a partition with no stored offset and keeps offsets beyond 2^53 exact', async () => {
      const key = partitionKey();
      await store().accounting.inPartitionTransaction(key, async (tx) => {
        expect(tx.storedOffset).toBeNull();
        await tx.save(changes('9007199254740993'));
      });
      const seen = await store().accounting.inPartitionTransaction(key, async (tx) => tx.storedOffset);
      expect(seen).toBe('9007199254740993');
      const other = { ...key, partition: key.partition + 1 };
      expect(
        await store().accounting.inPartitionTransaction(other, async (tx) => tx.storedOffset),
      ).toBeNull();
    });

    it('stores the writer token with the offset; a save without one clears it', async () => {
      const key = partitionKey();
      const stored = () =>
        store().accounting.inPartitionTransaction(key, async (tx) => [tx.storedOffset, tx.storedWriter]);
      expect(await stored()).toEqual([null, null]);
      await store().accounting.inPartitionTransaction(key, (tx) =>
        tx.save(changes('3', { writer: 'worker-a' })),
      );
      expect(await stored()).toEqual(['3', 'worker-a']);
      await store().accounting.inPartitionTransaction(key, (tx) => tx.save(changes('5')));
      expect(await stored()).toEqual(['5', null]);
      // Rolled back with the rest of the transaction.
      await store()
        .accounting.inPartitionTransaction(key, async (tx) => {
          await tx.save(changes('7', { writer: 'worker-b' }));
          throw new Error('abort');
        })
        .catch(() => undefined);
      expect(await stored()).toEqual(['5', null]);
    });

    it('closes finished sessions into the session log, tombstones included', async () => {
      const user = jid();
      const s1 = openSession(user, { startedAt: 1_000 });
      const s2 = openSession(user, { startedAt: 2_000, edgeId: 'edge-b' });
      const key = await saveInNewPartition(
        store(),
        changes('2', { users: [userState(user)], opened: [s1, s2] }),
      );
      const ghost = tombstone(user, { stoppedAt: 9_000, reason: 'edge-lost' });
      const done = finished(s1, 5_000, 'timeout');
      await store().accounting.inPartitionTransaction(key, (tx) =>
        tx.save(changes('4', { finished: [done, ghost] })),
      );

      await store().accounting.inPartitionTransaction(key, async (tx) => {
        expect((await tx.loadUsers([user])).get(user)?.open).toEqual([s2]);
        expect(await tx.loadFinished([s1.sessionId, s2.sessionId, ghost.sessionId, uid()])).toEqual(
          new Set([s1.sessionId, ghost.sessionId]),
        );
      });
      expect(await store().accounting.sessionLog(user, 10)).toEqual([ghost, done]);
      expect(await store().accounting.sessionLog(user, 1)).toEqual([ghost]);
      expect(await store().accounting.sessionLog(jid(), 10)).toEqual([]);
    });

    it('opens and closes a session within one save', async () => {
      const user = jid();
      const s = openSession(user);
      await saveInNewPartition(
        store(),
        changes('1', { opened: [s], finished: [finished(s, s.startedAt + 10)] }),
      );
      expect(await store().accounting.openSessionsOfBoot(s.edgeId, s.bootId)).not.toContainEqual(s);
      expect(await store().accounting.sessionLog(user, 5)).toEqual([finished(s, s.startedAt + 10)]);
    });

    it('keeps the first row when a session id repeats', async () => {
      const user = jid();
      const s = openSession(user);
      const again = { ...s, resource: 'other' };
      const key = await saveInNewPartition(store(), changes('1', { opened: [s, again] }));
      const stop = finished(s, s.startedAt + 5);
      await store().accounting.inPartitionTransaction(key, (tx) =>
        tx.save(changes('2', { finished: [stop, { ...stop, reason: 'error' }] })),
      );
      expect(await store().accounting.sessionLog(user, 5)).toEqual([stop]);
    });

    it('keeps open sessions per user, as the replay does, when two users share a session id', async () => {
      const [alice, bob] = [jid(), jid()];
      const a = openSession(alice, { startedAt: 1_000 });
      const b = openSession(bob, { sessionId: a.sessionId, startedAt: 2_000 });
      const key = await saveInNewPartition(
        store(),
        changes('1', { users: [userState(alice), userState(bob)], opened: [a, b] }),
      );
      await store().accounting.inPartitionTransaction(key, (tx) =>
        tx.save(changes('2', { finished: [finished(a, 3_000)] })),
      );
      await store().accounting.inPartitionTransaction(key, async (tx) => {
        const states = await tx.loadUsers([alice, bob]);
        expect(states.get(alice)?.open).toEqual([]);
        expect(states.get(bob)?.open).toEqual([b]);
      });
    });

    it('handles batches larger than one statement', async () => {
      const users = Array.from({ length: 1_300 }, () => jid());
      const opened = users.map((u, i) => openSession(u, { startedAt: i }));
      const key = await saveInNewPartition(
        store(),
        changes('1300', { users: users.map((u, i) => userState(u, { totalMs: i, onlineSince: i })), opened }),
      );
      const stops = opened.slice(0, 1_100).map((s) => finished(s, s.startedAt + 1));
      await store().accounting.inPartitionTransaction(key, (tx) =>
        tx.save(changes('1301', { finished: stops })),
      );
      await store().accounting.inPartitionTransaction(key, async (tx) => {
        const states = await tx.loadUsers(users);
        expect(states.size).toBe(users.length);
        expect(users.map((u, i) => states.get(u)?.totalMs === i).every(Boolean)).toBe(true);
        expect(users.map((u) => states.get(u)?.open.length ?? -1)).toEqual(
          users.map((_, i) => (i < 1_100 ? 0 : 1)),
        );
        expect((await tx.loadFinished(opened.map((s) => s.sessionId))).size).toBe(1_100);
      });
    });
  });
}
