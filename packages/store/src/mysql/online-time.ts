/** OnlineTimeRepository: reads of online_time (the accounting transaction writes it). */
import type { OnlineTimeRepository, UserTotals } from '../types.js';
import { checkLimit, checkLookup } from '../validate-records.js';
import { msOf, msOrNullOf, textOf } from './rows.js';
import { selectIn, type Db } from './sql.js';

export const TOTALS_COLUMNS = 'jid, total_ms, online_since, last_login, last_logout, balance_ms';

export function totalsOf(row: Record<string, unknown>): UserTotals {
  return {
    jid: textOf(row, 'jid'),
    totalMs: msOf(row, 'total_ms'),
    onlineSince: msOrNullOf(row, 'online_since'),
    lastLogin: msOrNullOf(row, 'last_login'),
    lastLogout: msOrNullOf(row, 'last_logout'),
    balanceMs: msOrNullOf(row, 'balance_ms'),
  };
}

export function createMysqlOnlineTime(db: Db): OnlineTimeRepository {
  return {
    async getMany(jids) {
      const wanted = checkLookup('jids', jids);
      const rows = await selectIn(
        db,
        'onlineTime.getMany',
        (list) => `SELECT ${TOTALS_COLUMNS} FROM online_time WHERE jid IN (${list})`,
        wanted,
      );
      const byJid = new Map(rows.map((r) => [textOf(r, 'jid'), totalsOf(r)]));
      const found = new Map<string, UserTotals>();
      for (const jid of wanted) {
        const totals = byJid.get(jid);
        if (totals) found.set(jid, totals);
      }
      return found;
    },
    async *scanAll(pageSize = 1000) {
      const size = checkLimit('pageSize', pageSize, 100_000);
      // Keyset pagination on the primary key: each page is one index range scan, however deep.
      let page = (
        await db.select(
          'onlineTime.scanAll',
          `SELECT ${TOTALS_COLUMNS} FROM online_time ORDER BY jid LIMIT ?`,
          [size],
        )
      ).map(totalsOf);
      while (page.length > 0) {
        yield page;
        if (page.length < size) return;
        const last = (page[page.length - 1] as UserTotals).jid;
        page = (
          await db.select(
            'onlineTime.scanAll',
            `SELECT ${TOTALS_COLUMNS} FROM online_time WHERE jid > ? ORDER BY jid LIMIT ?`,
            [last, size],
          )
        ).map(totalsOf);
      }
    },
  };
}
