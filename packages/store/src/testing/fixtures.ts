/** Builders for the store contract: every call makes unique ids, so suites share a database safely. */
import { randomBytes } from 'node:crypto';

import type { FinishedSession, OpenSession, UserState } from '@onlinetime/accounting';
import { expect } from 'vitest';

import type { AccountingChanges, PartitionKey, ScramKeys, Store, UserCredentials } from '../types.js';

export type GetStore = () => Store;

export function uid(prefix = 'u'): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}

/** Characters that would break concatenated SQL or LIKE patterns; all valid in keys. */
export const SQL_METACHARACTERS = `'"\\;--%_!\`?`;

export function domain(): string {
  return `${uid('d')}.example`;
}

export function jid(local = uid('user'), host = domain()): string {
  return `${local}@${host}`;
}

function keys(seed: string, length: number): ScramKeys {
  const bytes = (tag: string, n: number): Buffer => {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i += 1)
      out[i] = (seed.charCodeAt(i % seed.length) * 31 + tag.charCodeAt(0) + i * 7) & 0xff;
    out[0] = 0; // leading and embedded zero bytes must survive VARBINARY
    return out;
  };
  return {
    salt: bytes('s', 16),
    iterations: 4096,
    storedKey: bytes('k', length),
    serverKey: bytes('v', length),
  };
}

export function credentials(user: string, seed = uid('seed')): UserCredentials {
  return { jid: user, scram: { 'SCRAM-SHA-1': keys(seed, 20), 'SCRAM-SHA-256': keys(`${seed}256`, 32) } };
}

export function partitionKey(): PartitionKey {
  return { groupId: uid('group'), topic: uid('topic'), partition: 3 };
}

export function openSession(user: string, fields: Partial<OpenSession> = {}): OpenSession {
  return {
    sessionId: uid('s'),
    jid: user,
    resource: 'phone',
    edgeId: 'edge-a',
    bootId: 'boot-1',
    ip: '192.0.2.7',
    startedAt: 1_700_000_000_000,
    ...fields,
  };
}

export function finished(session: OpenSession, stoppedAt: number, reason = 'closed'): FinishedSession {
  return { ...session, stoppedAt, reason };
}

export function tombstone(user: string, fields: Partial<FinishedSession> = {}): FinishedSession {
  return {
    ...openSession(user),
    ip: null,
    startedAt: null,
    stoppedAt: 1_700_000_100_000,
    reason: 'closed',
    ...fields,
  };
}

export function userState(user: string, fields: Partial<UserState> = {}): UserState {
  return {
    jid: user,
    totalMs: 0,
    onlineSince: null,
    lastLogin: null,
    lastLogout: null,
    balanceMs: null,
    open: [],
    ...fields,
  };
}

export function changes(nextOffset: string, fields: Partial<AccountingChanges> = {}): AccountingChanges {
  return { users: [], opened: [], finished: [], nextOffset, ...fields };
}

/** Saves in one transaction of a fresh partition, returning that partition. */
export async function saveInNewPartition(store: Store, c: AccountingChanges): Promise<PartitionKey> {
  const key = partitionKey();
  await store.accounting.inPartitionTransaction(key, (tx) => tx.save(c));
  return key;
}

/** Awaits a rejection and returns it, failing when the promise resolves. */
export async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { code?: string; retriable?: boolean }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { code?: string; retriable?: boolean };
  }
  expect.fail('expected a rejection');
}

export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve = (_value: T): void => {};
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
