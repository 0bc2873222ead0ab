import { setImmediate as nextTurn } from 'node:timers/promises';

import { createMemoryStore, type UserCredentials } from '@onlinetime/store';
import { describe, expect, it, vi } from 'vitest';

import { batchCredentialLookups } from './credential-batch.js';

function creds(jid: string): UserCredentials {
  const keys = (n: number) => ({
    salt: Buffer.alloc(16, n),
    iterations: 4096,
    storedKey: Buffer.alloc(n, 1),
    serverKey: Buffer.alloc(n, 2),
  });
  return { jid, scram: { 'SCRAM-SHA-1': keys(20), 'SCRAM-SHA-256': keys(32) } };
}

async function storeWith(...jids: string[]) {
  const store = createMemoryStore();
  for (const jid of jids) await store.users.add(creds(jid));
  return store;
}

describe('batchCredentialLookups', () => {
  it('answers the lookups of one turn with one query, each as getCredentials would', async () => {
    const store = await storeWith('alice@localhost', 'bob@localhost');
    const many = vi.spyOn(store.users, 'getCredentialsMany');
    const single = vi.spyOn(store.users, 'getCredentials');
    const lookup = batchCredentialLookups(store.users);
    const answers = await Promise.all(
      ['alice@localhost', 'nobody@localhost', 'bob@localhost', 'alice@localhost'].map((jid) =>
        lookup.getCredentials(jid),
      ),
    );
    expect(answers).toEqual([
      creds('alice@localhost'),
      null,
      creds('bob@localhost'),
      creds('alice@localhost'),
    ]);
    expect(many).toHaveBeenCalledTimes(1);
    expect(many.mock.calls[0]?.[0]).toEqual(['alice@localhost', 'nobody@localhost', 'bob@localhost']);
    expect(single).not.toHaveBeenCalled();
  });

  it('starts a new batch for lookups made after the previous one went out', async () => {
    const store = await storeWith('alice@localhost');
    const many = vi.spyOn(store.users, 'getCredentialsMany');
    const lookup = batchCredentialLookups(store.users);
    expect(await lookup.getCredentials('alice@localhost')).toEqual(creds('alice@localhost'));
    await nextTurn();
    expect(await lookup.getCredentials('nobody@localhost')).toBeNull();
    expect(many).toHaveBeenCalledTimes(2);
  });

  it("fails every lookup of a batch with the query's error (thrown or rejected)", async () => {
    const store = await storeWith('alice@localhost');
    const lookup = batchCredentialLookups(store.users);
    const down = new Error('database down');
    vi.spyOn(store.users, 'getCredentialsMany').mockRejectedValueOnce(down);
    const rejected = ['alice@localhost', 'bob@localhost'].map((jid) => lookup.getCredentials(jid));
    await expect(Promise.all(rejected)).rejects.toBe(down);
    await expect(rejected[1]).rejects.toBe(down);
    vi.spyOn(store.users, 'getCredentialsMany').mockImplementationOnce(() => {
      throw down;
    });
    await expect(lookup.getCredentials('alice@localhost')).rejects.toBe(down);
    // The next batch is unaffected.
    expect(await lookup.getCredentials('alice@localhost')).toEqual(creds('alice@localhost'));
  });

  it('looks up one by one when the repository cannot batch', async () => {
    const store = await storeWith('alice@localhost');
    const lookup = batchCredentialLookups({ getCredentials: (jid) => store.users.getCredentials(jid) });
    expect(await lookup.getCredentials('alice@localhost')).toEqual(creds('alice@localhost'));
    expect(await lookup.getCredentials('nobody@localhost')).toBeNull();
  });
});
