/**
 * The in-memory Store (embedded `onlinetime dev` mode and unit tests): the same semantics as the MySQL
 * store, checked by the same contract suite. Nothing is persisted.
 */
import { storeClosedError, userExistsError } from '../errors.js';
import { compareKeys } from '../order.js';
import type {
  EdgeBoot,
  EdgesRepository,
  OnlineTimeRepository,
  Store,
  UserCredentials,
  UsersRepository,
  UserTotals,
  VcardWithTotals,
} from '../types.js';
import { checkCredentials, checkEdgeBoots, checkLimit, checkLookup } from '../validate-records.js';
import { checkKey, checkLookupKey, checkVcardXml } from '../validate-values.js';
import { createMemoryAccounting } from './memory-accounting.js';
import { copyCredentials, createTables, edgeKeyString, type MemoryTables } from './tables.js';

function createUsers(tables: MemoryTables, assertOpen: () => void): UsersRepository {
  return {
    async getCredentials(jid) {
      assertOpen();
      const found = tables.users.get(checkLookupKey('jid', jid));
      return found ? copyCredentials(found) : null;
    },
    async getCredentialsMany(jids) {
      assertOpen();
      const result = new Map<string, UserCredentials>();
      for (const jid of checkLookup('jids', jids)) {
        const found = tables.users.get(jid);
        if (found) result.set(jid, copyCredentials(found));
      }
      return result;
    },
    async add(credentials) {
      assertOpen();
      const c = checkCredentials(credentials);
      if (tables.users.has(c.jid)) throw userExistsError(c.jid);
      tables.users.set(c.jid, copyCredentials(c));
    },
    async setCredentials(credentials, options) {
      assertOpen();
      const c = checkCredentials(credentials);
      if (!tables.users.has(c.jid) && options?.upsert !== true) return false;
      tables.users.set(c.jid, copyCredentials(c));
      return true;
    },
    async remove(jid) {
      assertOpen();
      return tables.users.delete(checkLookupKey('jid', jid));
    },
    async list(domain) {
      assertOpen();
      const suffix = domain === undefined ? null : `@${checkLookupKey('domain', domain)}`;
      return [...tables.users.keys()]
        .filter((jid) => suffix === null || jid.endsWith(suffix))
        .sort(compareKeys);
    },
    async existing(jids) {
      assertOpen();
      return new Set(checkLookup('jids', jids).filter((jid) => tables.users.has(jid)));
    },
  };
}

function createOnlineTime(tables: MemoryTables, assertOpen: () => void): OnlineTimeRepository {
  return {
    async getMany(jids) {
      assertOpen();
      const found = new Map<string, UserTotals>();
      for (const jid of checkLookup('jids', jids)) {
        const totals = tables.onlineTime.get(jid);
        if (totals) found.set(jid, { ...totals });
      }
      return found;
    },
    async *scanAll(pageSize = 1000) {
      const size = checkLimit('pageSize', pageSize, 100_000);
      let after: string | null = null;
      for (;;) {
        assertOpen();
        const last: string | null = after;
        const page: UserTotals[] = [...tables.onlineTime.keys()]
          .filter((jid) => last === null || compareKeys(jid, last) > 0)
          .sort(compareKeys)
          .slice(0, size)
          .map((jid) => ({ ...(tables.onlineTime.get(jid) as UserTotals) }));
        if (page.length === 0) return;
        yield page;
        if (page.length < size) return;
        after = (page[page.length - 1] as UserTotals).jid;
      }
    },
  };
}

function createEdges(tables: MemoryTables, assertOpen: () => void): EdgesRepository {
  return {
    async all() {
      assertOpen();
      return [...tables.edges.values()]
        .sort((a, b) => compareKeys(a.edgeId, b.edgeId) || compareKeys(a.bootId, b.bootId))
        .map((b) => ({ ...b }));
    },
    async record(boots) {
      assertOpen();
      for (const boot of checkEdgeBoots(boots)) {
        const id = edgeKeyString(boot.edgeId, boot.bootId);
        const known = tables.edges.get(id);
        const merged: EdgeBoot = known
          ? {
              ...known,
              startedAt: Math.min(known.startedAt, boot.startedAt),
              lastHeartbeat: Math.max(known.lastHeartbeat, boot.lastHeartbeat),
              stoppedAt: boot.stoppedAt ?? known.stoppedAt,
            }
          : boot;
        tables.edges.set(id, merged);
      }
    },
  };
}

export function createMemoryStore(): Store {
  const tables = createTables();
  let closed = false;
  const assertOpen = (): void => {
    if (closed) throw storeClosedError();
  };
  return {
    users: createUsers(tables, assertOpen),
    vcards: {
      async getMany(jids) {
        assertOpen();
        const found = new Map<string, string>();
        for (const jid of checkLookup('jids', jids)) {
          const xml = tables.vcards.get(jid);
          if (xml !== undefined) found.set(jid, xml);
        }
        return found;
      },
      async getManyWithTotals(jids) {
        assertOpen();
        const found = new Map<string, VcardWithTotals>();
        for (const jid of checkLookup('jids', jids)) {
          const xml = tables.vcards.get(jid);
          if (xml === undefined) continue;
          const totals = tables.onlineTime.get(jid);
          found.set(jid, { xml, totals: totals === undefined ? undefined : { ...totals } });
        }
        return found;
      },
      async put(jid, xml) {
        assertOpen();
        const key = checkKey('jid', jid);
        tables.vcards.set(key, checkVcardXml(xml));
      },
    },
    onlineTime: createOnlineTime(tables, assertOpen),
    accounting: createMemoryAccounting(tables, assertOpen),
    edges: createEdges(tables, assertOpen),
    async ping() {
      assertOpen();
    },
    async close() {
      closed = true;
    },
  };
}
