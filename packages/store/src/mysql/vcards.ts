/** VcardsRepository on the vcards table (XML text kept byte for byte in MEDIUMTEXT utf8mb4). */
import type { VcardsRepository, VcardWithTotals } from '../types.js';
import { checkLookup } from '../validate-records.js';
import { checkKey, checkVcardXml } from '../validate-values.js';
import { totalsOf } from './online-time.js';
import { textOf } from './rows.js';
import { selectIn, type Db } from './sql.js';

export function createMysqlVcards(db: Db): VcardsRepository {
  return {
    async getMany(jids) {
      const wanted = checkLookup('jids', jids);
      const rows = await selectIn(
        db,
        'vcards.getMany',
        (list) => `SELECT jid, xml FROM vcards WHERE jid IN (${list})`,
        wanted,
      );
      const byJid = new Map(rows.map((r) => [textOf(r, 'jid'), textOf(r, 'xml')]));
      const found = new Map<string, string>();
      for (const jid of wanted) {
        const xml = byJid.get(jid);
        if (xml !== undefined) found.set(jid, xml);
      }
      return found;
    },
    async getManyWithTotals(jids) {
      const wanted = checkLookup('jids', jids);
      // online_time.jid is NOT NULL: a NULL totals_jid means the owner has no totals row.
      const rows = await selectIn(
        db,
        'vcards.getManyWithTotals',
        (list) =>
          `SELECT v.jid, v.xml, t.jid AS totals_jid, t.total_ms, t.online_since, t.last_login,
                  t.last_logout, t.balance_ms
             FROM vcards v LEFT JOIN online_time t ON t.jid = v.jid
            WHERE v.jid IN (${list})`,
        wanted,
      );
      const byJid = new Map<string, VcardWithTotals>(
        rows.map((r) => [
          textOf(r, 'jid'),
          { xml: textOf(r, 'xml'), totals: r['totals_jid'] === null ? undefined : totalsOf(r) },
        ]),
      );
      const found = new Map<string, VcardWithTotals>();
      for (const jid of wanted) {
        const stored = byJid.get(jid);
        if (stored !== undefined) found.set(jid, stored);
      }
      return found;
    },
    async put(jid, xml) {
      const key = checkKey('jid', jid);
      const text = checkVcardXml(xml);
      // VALUES(col) rather than MySQL 8.0.19's row alias: MariaDB 10.11 has no alias syntax.
      await db.modify(
        'vcards.put',
        `INSERT INTO vcards (jid, xml, updated_at) VALUES (?, ?, ?)
         ON DUPLICATE KEY UPDATE xml = VALUES(xml), updated_at = VALUES(updated_at)`,
        [key, text, Date.now()],
      );
    },
  };
}
