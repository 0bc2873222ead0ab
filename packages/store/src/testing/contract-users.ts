import { describe, expect, it } from 'vitest';

import { compareKeys } from '../order.js';
import { SQL_METACHARACTERS, credentials, domain, jid, rejection, uid, type GetStore } from './fixtures.js';

export function usersContract(store: GetStore): void {
  describe('users', () => {
    it('adds a user and returns its SCRAM keys byte for byte', async () => {
      const user = jid();
      const creds = credentials(user);
      await store().users.add(creds);
      expect(await store().users.getCredentials(user)).toEqual(creds);
      expect(await store().users.getCredentials(jid())).toBeNull();
    });

    it('refuses a duplicate with USER_EXISTS and keeps the first keys', async () => {
      const user = jid();
      const first = credentials(user);
      await store().users.add(first);
      const err = await rejection(store().users.add(credentials(user)));
      expect(err).toMatchObject({ code: 'USER_EXISTS', retriable: false });
      expect(await store().users.getCredentials(user)).toEqual(first);
    });

    it('replaces credentials of existing users only, unless upserting', async () => {
      const user = jid();
      await store().users.add(credentials(user));
      const replaced = credentials(user);
      expect(await store().users.setCredentials(replaced)).toBe(true);
      expect(await store().users.setCredentials(replaced)).toBe(true); // unchanged row still counts
      expect(await store().users.getCredentials(user)).toEqual(replaced);

      const absent = jid();
      expect(await store().users.setCredentials(credentials(absent))).toBe(false);
      expect(await store().users.getCredentials(absent)).toBeNull();
      const imported = credentials(absent);
      expect(await store().users.setCredentials(imported, { upsert: true })).toBe(true);
      expect(await store().users.getCredentials(absent)).toEqual(imported);
    });

    it('removes users', async () => {
      const user = jid();
      await store().users.add(credentials(user));
      expect(await store().users.remove(user)).toBe(true);
      expect(await store().users.remove(user)).toBe(false);
      expect(await store().users.getCredentials(user)).toBeNull();
    });

    it('lists users in order, per domain, taking LIKE metacharacters literally', async () => {
      const base = uid('d');
      const literal = `${base}_%!.example`;
      const lookalike = `${base}x1y.example`; // matches the literal domain if `_`, `%` were wildcards
      const ours = ['carol', 'alice', 'bob'].map((local) => jid(local, literal));
      const theirs = jid('dave', lookalike);
      for (const user of [...ours, theirs]) await store().users.add(credentials(user));
      const sorted = [...ours].sort();
      expect(await store().users.list(literal)).toEqual(sorted);
      expect(await store().users.list(lookalike)).toEqual([theirs]);
      expect(await store().users.list(domain())).toEqual([]);
      const all = await store().users.list();
      expect(all.filter((u) => u.endsWith(`@${literal}`))).toEqual(sorted);
      expect(all).toEqual([...all].sort(compareKeys));
    });

    it('answers which users exist in one call', async () => {
      const [a, b] = [jid(), jid(`o${SQL_METACHARACTERS}${uid()}`)];
      const absent = jid();
      for (const user of [a, b]) await store().users.add(credentials(user));
      expect(await store().users.existing([a, absent, b, a])).toEqual(new Set([a, b]));
      expect(await store().users.existing([])).toEqual(new Set());
    });

    it('returns the credentials of many users in one call, exact matches only', async () => {
      const [a, b] = [jid(), jid(`o${SQL_METACHARACTERS}${uid()}`)];
      const [credsA, credsB] = [credentials(a), credentials(b)];
      for (const creds of [credsA, credsB]) await store().users.add(creds);
      const absent = jid();
      // 'a ' would find 'a' under a PAD SPACE collation: it is not that user.
      const found = await store().users.getCredentialsMany([a, absent, b, a, `${a} `, a.toUpperCase()]);
      expect(found).toEqual(
        new Map([
          [a, credsA],
          [b, credsB],
        ]),
      );
      expect(await store().users.getCredentialsMany([])).toEqual(new Map());
      const many = Array.from({ length: 5 }, () => jid());
      expect(await store().users.getCredentialsMany([...many, b])).toEqual(new Map([[b, credsB]]));
    });

    it('stores JIDs with SQL metacharacters literally', async () => {
      const user = jid(`x${SQL_METACHARACTERS}${uid()}`);
      const creds = credentials(user);
      await store().users.add(creds);
      expect(await store().users.getCredentials(user)).toEqual(creds);
      expect(await store().users.list(user.slice(user.indexOf('@') + 1))).toEqual([user]);
    });

    it('does not share buffers with callers', async () => {
      const user = jid();
      const creds = credentials(user);
      await store().users.add(creds);
      const copy = Buffer.from(creds.scram['SCRAM-SHA-256'].storedKey);
      creds.scram['SCRAM-SHA-256'].storedKey.fill(0xff);
      const stored = await store().users.getCredentials(user);
      expect(stored?.scram['SCRAM-SHA-256'].storedKey).toEqual(copy);
    });

    it('rejects invalid credentials and keys with STORE_INVALID_VALUE', async () => {
      const bad = [
        credentials(`${jid()} `),
        credentials(''),
        credentials(`a\u0001${jid()}`),
        credentials(`${'x'.repeat(250)}@${domain()}`),
        { ...credentials(jid()), scram: { 'SCRAM-SHA-1': credentials(jid()).scram['SCRAM-SHA-1'] } },
      ];
      for (const creds of bad) {
        const err = await rejection(store().users.add(creds as never));
        expect(err).toMatchObject({ code: 'STORE_INVALID_VALUE', retriable: false });
      }
    });
  });
}
