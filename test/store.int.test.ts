import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import {
  DEFAULT_MIGRATIONS_DIR,
  createDatabaseIfMissing,
  createMysqlStore,
  dropDatabase,
  migrate,
  type PartitionKey,
  type Store,
} from '@onlinetime/store';
import { describeStoreContract } from '@onlinetime/store/testing';
import { afterEach, describe, expect, it } from 'vitest';

import { mysqlUrl, uniqueId } from './helpers/infra.js';

describeStoreContract('mysql', async () => {
  const store = createMysqlStore({ url: mysqlUrl(), poolSize: 4 });
  return { store, cleanup: () => store.close() };
});

/** A URL naming a fresh database on the same server (created by the test that uses it). */
function scratchUrl(): string {
  const url = new URL(mysqlUrl());
  url.pathname = `/${uniqueId('store_scratch_')}`;
  return url.toString();
}

function partition(): PartitionKey {
  return { groupId: uniqueId('group'), topic: uniqueId('topic'), partition: 0 };
}

async function rejectionOf(
  promise: Promise<unknown>,
): Promise<{ code?: string; retriable?: boolean; message: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { code?: string; retriable?: boolean; message: string };
  }
  throw new Error('expected a rejection');
}

describe('MySQL store specifics', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function store(options: { lockWaitTimeoutSeconds?: number } = {}): Store {
    const s = createMysqlStore({ url: mysqlUrl(), poolSize: 2, ...options });
    cleanups.push(() => s.close());
    return s;
  }

  async function scratchDatabase(): Promise<string> {
    const url = scratchUrl();
    await createDatabaseIfMissing(url);
    cleanups.push(() => dropDatabase(url));
    return url;
  }

  describe('migrations', () => {
    it('finds the run database current', async () => {
      expect((await migrate({ url: mysqlUrl() })).applied).toEqual([]);
    });

    it('creates the schema in a new database once, even when two processes migrate at once', async () => {
      const url = await scratchDatabase();
      const results = await Promise.all([migrate({ url }), migrate({ url })]);
      expect(results.map((r) => r.applied).sort()).toEqual([
        [],
        ['001_initial.sql', '002_open_sessions_by_user.sql', '003_offset_writer.sql'],
      ]);
      expect(await migrate({ url })).toEqual({ applied: [], version: 3 });
      const s = createMysqlStore({ url });
      cleanups.push(() => s.close());
      await s.users.setCredentials(
        {
          jid: 'a@b',
          scram: {
            'SCRAM-SHA-1': {
              salt: Buffer.from('s'),
              iterations: 1,
              storedKey: Buffer.from('k'),
              serverKey: Buffer.from('v'),
            },
            'SCRAM-SHA-256': {
              salt: Buffer.from('s'),
              iterations: 1,
              storedKey: Buffer.from('k'),
              serverKey: Buffer.from('v'),
            },
          },
        },
        { upsert: true },
      );
      expect(await s.users.list()).toEqual(['a@b']);
    });

    it('refuses to run when an applied migration was edited, naming the file', async () => {
      const url = await scratchDatabase();
      const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
      await migrate({ url, migrationsDir: dir });
      const file = join(dir, '001_initial.sql');
      await writeFile(file, `${await readFile(file, 'utf8')}\n-- edited\n`);
      const err = await rejectionOf(migrate({ url, migrationsDir: dir }));
      expect(err.code).toBe('MIGRATION_CHECKSUM_MISMATCH');
      expect(err.message).toContain('001_initial.sql');
    });

    it('applies a new migration file after the applied ones', async () => {
      const url = await scratchDatabase();
      const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
      expect((await migrate({ url, migrationsDir: dir })).applied).toEqual([
        '001_initial.sql',
        '002_open_sessions_by_user.sql',
        '003_offset_writer.sql',
      ]);
      await writeFile(
        join(dir, '999_extra.sql'),
        '-- test\nCREATE TABLE IF NOT EXISTS extra_t (id INT NOT NULL PRIMARY KEY);\n',
      );
      expect(await migrate({ url, migrationsDir: dir })).toEqual({
        applied: ['999_extra.sql'],
        version: 999,
      });
    });

    it('validates database names, which cannot be placeholders', async () => {
      const url = new URL(mysqlUrl());
      url.pathname = '/bad`name; DROP DATABASE mysql';
      expect((await rejectionOf(createDatabaseIfMissing(url.toString()))).code).toBe('MYSQL_URL_INVALID');
      expect((await rejectionOf(dropDatabase(url.toString()))).code).toBe('MYSQL_URL_INVALID');
    });
  });

  describe('accounting transactions across processes', () => {
    it('serialises two stores (two pools) on the same partition', async () => {
      const [a, b] = [store(), store()];
      const key = partition();
      let bEntered = false;
      let second: Promise<string | null> | undefined;
      await a.accounting.inPartitionTransaction(key, async (tx) => {
        second = b.accounting.inPartitionTransaction(key, async (tx2) => {
          bEntered = true;
          return tx2.storedOffset;
        });
        await delay(300); // b must stay blocked on the row lock meanwhile
        expect(bEntered).toBe(false);
        await tx.save({ users: [], opened: [], finished: [], nextOffset: '100' });
      });
      expect(await second).toBe('100');
    });

    it('reports a lock wait timeout as retriable', async () => {
      const a = store();
      const b = store({ lockWaitTimeoutSeconds: 1 });
      const key = partition();
      await a.accounting.inPartitionTransaction(key, (tx) =>
        tx.save({ users: [], opened: [], finished: [], nextOffset: '1' }),
      );
      await a.accounting.inPartitionTransaction(key, async () => {
        const err = await rejectionOf(b.accounting.inPartitionTransaction(key, async () => 'never'));
        expect(err).toMatchObject({ code: 'STORE_LOCK_WAIT_TIMEOUT', retriable: true });
      });
      // b's connection went back to the pool in a usable state.
      expect(await b.accounting.inPartitionTransaction(key, async (tx) => tx.storedOffset)).toBe('1');
    });

    it('reports an unreachable server as retriable', async () => {
      const s = createMysqlStore({ url: 'mysql://root@127.0.0.1:1/nothing' });
      cleanups.push(() => s.close());
      expect(await rejectionOf(s.ping())).toMatchObject({ code: 'STORE_UNAVAILABLE', retriable: true });
      const err = await rejectionOf(s.accounting.inPartitionTransaction(partition(), async () => 1));
      expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE', retriable: true });
    });
  });
});
