import type { Bus, OutgoingRecord } from '@onlinetime/bus';
import { createEvent, encodeEvent, sessionsKey } from '@onlinetime/events';
import type { ScramMechanism } from '@onlinetime/scram';
import type { EjabberdSchema, EjabberdSource, Store } from '@onlinetime/store';

import { credentialsFromEjabberd } from './ejabberd-credentials.js';
import { normaliseLocalpart } from './jid.js';
import { cleanImportedVcard } from './vcard-clean.js';

export interface Rejected {
  readonly table: 'users' | 'vcard' | 'youbao_onlinetime';
  readonly username: string;
  readonly reason: string;
}

export interface ImportCounts {
  read: number;
  imported: number;
  /** Already present in our store and left as they were (re-runs; --overwrite replaces them). */
  kept: number;
  rejected: number;
}

export interface ImportReport {
  readonly schema: EjabberdSchema;
  readonly domain: string;
  readonly users: ImportCounts & { mechanisms: Record<'both' | ScramMechanism, number> };
  readonly vcards: ImportCounts;
  /** imported = balance.opened events published. */
  readonly balances: ImportCounts;
  readonly rejected: Rejected[];
}

export interface ImportOptions {
  readonly source: EjabberdSource;
  readonly store: Store;
  readonly bus: Bus;
  readonly topic: string;
  readonly domain: string;
  readonly overwrite: boolean;
  readonly iterations: number;
  readonly pageSize: number;
  readonly onProgress?: (phase: string, rows: number) => void;
}

const counts = (): ImportCounts => ({ read: 0, imported: 0, kept: 0, rejected: 0 });

/** The id that makes a balance idempotent to publish: one per user, whatever the run. */
export const balanceEventId = (jid: string): string => `import:ejabberd:${jid}`;

export async function importEjabberd(options: ImportOptions): Promise<ImportReport> {
  const { source, store, domain } = options;
  const report: ImportReport = {
    schema: source.schema,
    domain,
    users: { ...counts(), mechanisms: { both: 0, 'SCRAM-SHA-1': 0, 'SCRAM-SHA-256': 0 } },
    vcards: counts(),
    balances: counts(),
    rejected: [],
  };
  const reject = (table: Rejected['table'], username: string, reason: string, c: ImportCounts): void => {
    c.rejected += 1;
    report.rejected.push({ table, username, reason });
  };
  /** username -> bare JID, or the reason it is not a valid localpart. */
  const jidOf = (username: string): string | { reason: string } => {
    try {
      return `${normaliseLocalpart(username)}@${domain}`;
    } catch (err) {
      return { reason: (err as Error).message };
    }
  };

  for await (const page of source.users(domain, options.pageSize)) {
    const jids = new Map<string, string>();
    for (const user of page) {
      const jid = jidOf(user.username);
      if (typeof jid === 'string') jids.set(user.username, jid);
    }
    const present = options.overwrite ? new Set<string>() : await store.users.existing([...jids.values()]);
    for (const user of page) {
      report.users.read += 1;
      const jid = jids.get(user.username);
      if (jid === undefined) {
        reject('users', user.username, (jidOf(user.username) as { reason: string }).reason, report.users);
        continue;
      }
      if (present.has(jid)) {
        report.users.kept += 1;
        continue;
      }
      const result = credentialsFromEjabberd(jid, user, options.iterations);
      if (typeof result === 'string') {
        reject('users', user.username, result, report.users);
        continue;
      }
      await store.users.setCredentials(result.credentials, { upsert: true });
      report.users.imported += 1;
      report.users.mechanisms[
        result.mechanisms.length === 2 ? 'both' : (result.mechanisms[0] as ScramMechanism)
      ] += 1;
    }
    options.onProgress?.('users', page.length);
  }

  for await (const page of source.vcards(domain, options.pageSize)) {
    const valid = new Map<string, { jid: string; xml: string }>();
    for (const row of page) {
      const jid = jidOf(row.username);
      const cleaned = cleanImportedVcard(row.vcard);
      if (typeof jid !== 'string') reject('vcard', row.username, jid.reason, report.vcards);
      else if ('reason' in cleaned) reject('vcard', row.username, cleaned.reason, report.vcards);
      else valid.set(row.username, { jid, xml: cleaned.xml });
    }
    report.vcards.read += page.length;
    const wanted = [...valid.values()].map((v) => v.jid);
    const users = await store.users.existing(wanted);
    const stored = options.overwrite ? new Map<string, string>() : await store.vcards.getMany(wanted);
    for (const [username, { jid, xml }] of valid) {
      if (!users.has(jid)) reject('vcard', username, `no user ${jid} (not imported)`, report.vcards);
      else if (stored.has(jid)) report.vcards.kept += 1;
      else {
        await store.vcards.put(jid, xml);
        report.vcards.imported += 1;
      }
    }
    options.onProgress?.('vcards', page.length);
  }

  const seen = new Set<string>();
  for await (const page of source.onlineTimes(domain, options.pageSize)) {
    report.balances.read += page.length;
    const candidates: Array<{ username: string; jid: string; ms: number }> = [];
    for (const row of page) {
      const jid = jidOf(row.username);
      if (typeof jid !== 'string') {
        reject('youbao_onlinetime', row.username, jid.reason, report.balances);
        continue;
      }
      const raw = row.onlinetime?.trim() ?? '';
      if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw) * 60_000)) {
        reject(
          'youbao_onlinetime',
          row.username,
          `onlinetime ${JSON.stringify(row.onlinetime)} is not a whole number of minutes`,
          report.balances,
        );
        continue;
      }
      if (seen.has(jid)) {
        reject(
          'youbao_onlinetime',
          row.username,
          `another row of ${jid} was already imported (one balance per user)`,
          report.balances,
        );
        continue;
      }
      seen.add(jid);
      candidates.push({ username: row.username, jid, ms: Number(raw) * 60_000 });
    }
    const jids = candidates.map((c) => c.jid);
    const users = await store.users.existing(jids);
    const totals = await store.onlineTime.getMany(jids);
    const records: OutgoingRecord[] = [];
    for (const c of candidates) {
      const applied = totals.get(c.jid)?.balanceMs ?? null;
      if (!users.has(c.jid))
        reject('youbao_onlinetime', c.username, `no user ${c.jid} (not imported)`, report.balances);
      else if (applied !== null && applied === c.ms) report.balances.kept += 1;
      else if (applied !== null) {
        reject(
          'youbao_onlinetime',
          c.username,
          `a different balance (${applied} ms) was already applied to ${c.jid}; a balance applies once`,
          report.balances,
        );
      } else {
        const event = createEvent(
          'balance.opened',
          { jid: c.jid, ms: c.ms, origin: 'ejabberd' },
          { source: 'import-ejabberd', id: balanceEventId(c.jid) },
        );
        records.push({ key: sessionsKey(c.jid), value: encodeEvent(event) });
      }
    }
    if (records.length > 0) await options.bus.publish(options.topic, records);
    report.balances.imported += records.length;
    options.onProgress?.('balances', page.length);
  }
  return report;
}
