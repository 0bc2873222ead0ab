/** Test helpers of the responder's unit tests (excluded from the build). */
import { Writable } from 'node:stream';

import { createLogger, type Logger } from '@onlinetime/logging';
import type { UserTotals, VcardWithTotals } from '@onlinetime/store';

import type { LookupStore } from '../batch-lookup.js';
import { createBatchLookup } from '../batch-lookup.js';
import { createHandlers } from '../handlers/index.js';
import { createRouter, type Router } from '../router.js';
import { parseXml, serialize } from '../xml.js';

export const DOMAIN = 'youbao.com';
export const MINUTE = 60_000;

export function totals(jid: string, fields: Partial<Omit<UserTotals, 'jid'>> = {}): UserTotals {
  return {
    jid,
    totalMs: 0,
    onlineSince: null,
    lastLogin: null,
    lastLogout: null,
    balanceMs: null,
    ...fields,
  };
}

export interface FakeStore extends LookupStore {
  readonly vcardRows: Map<string, string>;
  readonly calls: {
    totals: string[][];
    vcards: string[][];
    vcardsWithTotals: string[][];
    puts: Array<[string, string]>;
  };
  /** Makes every call fail from now on (the database is down). */
  down: boolean;
}

function pick<T>(rows: Map<string, T>, jids: readonly string[]): Map<string, T> {
  const found = new Map<string, T>();
  for (const jid of jids) {
    const row = rows.get(jid);
    if (row !== undefined) found.set(jid, row);
  }
  return found;
}

export function createFakeStore(
  seed: { vcards?: Record<string, string>; totals?: UserTotals[] } = {},
): FakeStore {
  const vcardRows = new Map(Object.entries(seed.vcards ?? {}));
  const totalRows = new Map((seed.totals ?? []).map((t) => [t.jid, t]));
  const calls: FakeStore['calls'] = { totals: [], vcards: [], vcardsWithTotals: [], puts: [] };
  const store: FakeStore = {
    vcardRows,
    calls,
    down: false,
    onlineTime: {
      getMany(jids) {
        calls.totals.push([...jids]);
        if (store.down) return Promise.reject(new Error('connect ECONNREFUSED'));
        return Promise.resolve(pick(totalRows, jids));
      },
    },
    vcards: {
      getMany(jids) {
        calls.vcards.push([...jids]);
        if (store.down) return Promise.reject(new Error('connect ECONNREFUSED'));
        return Promise.resolve(pick(vcardRows, jids));
      },
      getManyWithTotals(jids) {
        calls.vcardsWithTotals.push([...jids]);
        if (store.down) return Promise.reject(new Error('connect ECONNREFUSED'));
        const found = new Map<string, VcardWithTotals>();
        for (const [jid, xml] of pick(vcardRows, jids)) found.set(jid, { xml, totals: totalRows.get(jid) });
        return Promise.resolve(found);
      },
      put(jid, xml) {
        calls.puts.push([jid, xml]);
        if (store.down) return Promise.reject(new Error('connect ECONNREFUSED'));
        vcardRows.set(jid, xml);
        return Promise.resolve();
      },
    },
  };
  return store;
}

/** A logger whose JSON lines are collected in `lines`. */
export function createSinkLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n'))
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: createLogger({ name: 'test', level: 'debug', destination }), lines };
}

export const silentLogger = (): Logger => createLogger({ name: 'test', level: 'silent' });

export interface AskOptions {
  /** Requester's full JID as the edge stamps it. */
  readonly from: string;
  readonly store?: FakeStore;
  readonly now?: number;
  readonly startedAt?: number;
  readonly vcardMaxBytes?: number;
  readonly logger?: Logger;
  readonly domains?: readonly string[];
  /** A router kept across calls (its handlers' caches with it); default: a new one per call. */
  readonly router?: Router;
}

/** Routes one IQ (id, type and to taken from the stanza, as the edge copies them) and returns the reply text. */
export async function ask(stanza: string, options: AskOptions): Promise<string> {
  const iq = parseXml(stanza, { maxBytes: 1 << 20, maxDepth: 32 });
  const attrs = iq.attrs as Record<string, string | undefined>;
  const router =
    options.router ??
    createRouter({
      handlers: createHandlers({ vcardMaxBytes: options.vcardMaxBytes ?? 64 * 1024 }),
      domains: options.domains ?? [DOMAIN],
      logger: options.logger ?? silentLogger(),
    });
  const plan = router.plan({
    id: attrs['id'] ?? 'x',
    type: attrs['type'] === 'set' ? 'set' : 'get',
    from: options.from,
    to: attrs['to'],
    iq,
  });
  const lookup = await createBatchLookup({
    store: options.store ?? createFakeStore(),
    needs: [plan.needs],
    now: options.now ?? 0,
    startedAt: options.startedAt ?? 0,
  });
  return serialize((await plan.run(lookup)).reply);
}

/** Removes the whitespace between tags of a literal written over several lines. */
export function compact(xml: string): string {
  return xml.replace(/>\s+</g, '><').trim();
}
