import { setTimeout as delay } from 'node:timers/promises';

import { describe, expect, it } from 'vitest';

import { changes, deferred, partitionKey, type GetStore } from './fixtures.js';

/** How long a transaction that should be blocked is given to (wrongly) start. */
const BLOCKED_FOR_MS = 300;

export function concurrencyContract(store: GetStore): void {
  describe('partition transactions', () => {
    it('serialises two transactions on the same partition: the second sees the first one offset', async () => {
      const key = partitionKey();
      const events: string[] = [];
      const secondEntered = deferred<string>();
      let second: Promise<string | null> | undefined;
      await store().accounting.inPartitionTransaction(key, async (tx) => {
        events.push('first:enter');
        second = store().accounting.inPartitionTransaction(key, async (tx2) => {
          events.push('second:enter');
          secondEntered.resolve('entered');
          return tx2.storedOffset;
        });
        // The second must not start while the first holds the partition.
        events.push(
          `first:second-${await Promise.race([secondEntered.promise, delay(BLOCKED_FOR_MS, 'waiting')])}`,
        );
        await tx.save(changes('10'));
        events.push('first:exit');
      });
      const seen = await second;
      expect(events).toEqual(['first:enter', 'first:second-waiting', 'first:exit', 'second:enter']);
      expect(seen).toBe('10');
    });

    it('does not block transactions of other partitions', async () => {
      const key = partitionKey();
      const other = { ...key, partition: key.partition + 1 };
      const otherDone = deferred<string>();
      await store().accounting.inPartitionTransaction(key, async (tx) => {
        const run = store().accounting.inPartitionTransaction(other, async (tx2) => {
          await tx2.save(changes('5'));
        });
        void run.then(() => otherDone.resolve('done'));
        expect(await Promise.race([otherDone.promise, delay(20_000, 'blocked')])).toBe('done');
        await tx.save(changes('7'));
      });
      expect(await store().accounting.inPartitionTransaction(other, async (tx) => tx.storedOffset)).toBe('5');
    });

    it('lets a partition be used again after a failed transaction', async () => {
      const key = partitionKey();
      await expect(
        store().accounting.inPartitionTransaction(key, async () => {
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      await store().accounting.inPartitionTransaction(key, (tx) => tx.save(changes('3')));
      expect(await store().accounting.inPartitionTransaction(key, async (tx) => tx.storedOffset)).toBe('3');
    });
  });
}
