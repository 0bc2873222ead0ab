/**
 * The behavioural contract of the Store port. Run against the memory store (unit tests) and against
 * MySQL/MariaDB (test/store.int.test.ts), so that the fake cannot drift from the real thing.
 * Every test makes its own JIDs, partitions and edges: the suite may share a database with others.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Store } from '../types.js';
import { accountingContract } from './contract-accounting.js';
import { concurrencyContract } from './contract-concurrency.js';
import { edgesContract } from './contract-edges.js';
import { transactionLifecycleContract } from './contract-lifecycle.js';
import { onlineTimeContract } from './contract-online-time.js';
import { usersContract } from './contract-users.js';
import { vcardsContract } from './contract-vcards.js';
import { rejection } from './fixtures.js';

export interface StoreUnderTest {
  readonly store: Store;
  cleanup(): Promise<void>;
}

export type StoreFactory = () => Promise<StoreUnderTest>;

export function describeStoreContract(name: string, makeStore: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    let subject: StoreUnderTest | undefined;
    const store = (): Store => {
      if (!subject) throw new Error('store not created');
      return subject.store;
    };
    beforeAll(async () => {
      subject = await makeStore();
    });
    afterAll(async () => {
      await subject?.cleanup();
    });

    usersContract(store);
    vcardsContract(store);
    onlineTimeContract(store);
    accountingContract(store);
    transactionLifecycleContract(store);
    concurrencyContract(store);
    edgesContract(store);

    describe('lifecycle', () => {
      it('answers ping, and refuses work once closed', async () => {
        await store().ping();
        const other = await makeStore();
        try {
          await other.store.close();
          expect(await rejection(other.store.ping())).toMatchObject({ code: 'STORE_CLOSED' });
          expect(await rejection(other.store.users.list())).toMatchObject({ code: 'STORE_CLOSED' });
        } finally {
          await other.cleanup();
        }
      });
    });
  });
}
