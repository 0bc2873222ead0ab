import { describe, expect, it } from 'vitest';

import type { UserTotals } from '../types.js';
import {
  SQL_METACHARACTERS,
  changes,
  jid,
  rejection,
  saveInNewPartition,
  uid,
  userState,
  type GetStore,
} from './fixtures.js';

/** Text that any re-encoding, trimming or escaping would change. */
const AWKWARD = [
  `<vCard xmlns='vcard-temp'><FN>Zoë Ørsted 😀 漢字 مرحبا e\u0301</FN>`,
  `<NOTE>${SQL_METACHARACTERS} &amp; &lt;x&gt; \u0000 tab\tcr\r\nlf\n</NOTE>  `,
  `<DESC>  trailing spaces  </DESC></vCard>   `,
].join('');

export function vcardsContract(store: GetStore): void {
  describe('vcards', () => {
    it('stores vCard XML byte for byte, unicode and metacharacters included', async () => {
      const user = jid();
      await store().vcards.put(user, AWKWARD);
      const found = await store().vcards.getMany([user]);
      expect(Buffer.from(found.get(user) ?? '')).toEqual(Buffer.from(AWKWARD));
    });

    it('keeps large vCards intact', async () => {
      const user = jid();
      const photo = `<PHOTO><BINVAL>${'QUJD漢😀'.repeat(150_000)}</BINVAL></PHOTO>`; // ~2.4 MB of UTF-8
      await store().vcards.put(user, photo);
      expect((await store().vcards.getMany([user])).get(user) === photo).toBe(true);
    });

    it('replaces a vCard and reads many in one call, omitting users without one', async () => {
      const [a, b, none] = [jid(), jid(`q${SQL_METACHARACTERS}${uid()}`), jid()];
      await store().vcards.put(a, '<vCard xmlns="vcard-temp"><FN>old</FN></vCard>');
      await store().vcards.put(a, '<vCard xmlns="vcard-temp"><FN>new</FN></vCard>');
      await store().vcards.put(b, '<vCard xmlns="vcard-temp"/>');
      expect(await store().vcards.getMany([a, b, none, a])).toEqual(
        new Map([
          [a, '<vCard xmlns="vcard-temp"><FN>new</FN></vCard>'],
          [b, '<vCard xmlns="vcard-temp"/>'],
        ]),
      );
      expect(await store().vcards.getMany([])).toEqual(new Map());
    });

    it("reads vCards with their owners' totals in one call: no totals row, no vCard, both", async () => {
      const [both, vcardOnly, totalsOnly, neither] = [
        jid(),
        jid(`w${SQL_METACHARACTERS}${uid()}`),
        jid(),
        jid(),
      ];
      const saved: UserTotals[] = [
        {
          jid: both,
          totalMs: 9_007_199_254_740_991,
          onlineSince: 1_700_000_000_001,
          lastLogin: 1_700_000_000_001,
          lastLogout: 1_699_999_999_999,
          balanceMs: 123_456,
        },
        {
          jid: totalsOnly,
          totalMs: 60_000,
          onlineSince: null,
          lastLogin: null,
          lastLogout: null,
          balanceMs: null,
        },
      ];
      await saveInNewPartition(store(), changes('1', { users: saved.map((t) => userState(t.jid, t)) }));
      await store().vcards.put(both, AWKWARD);
      await store().vcards.put(vcardOnly, '<vCard xmlns="vcard-temp"/>');
      const found = await store().vcards.getManyWithTotals([both, vcardOnly, totalsOnly, neither, both]);
      expect(found).toEqual(
        new Map([
          [both, { xml: AWKWARD, totals: saved[0] }],
          [vcardOnly, { xml: '<vCard xmlns="vcard-temp"/>', totals: undefined }],
        ]),
      );
      expect(Buffer.from(found.get(both)?.xml ?? '')).toEqual(Buffer.from(AWKWARD));
      expect(await store().vcards.getManyWithTotals([])).toEqual(new Map());
    });

    it('refuses text it could not return unchanged', async () => {
      for (const xml of ['<FN>\uD800</FN>', 'x'.repeat(8 * 1024 * 1024 + 1)]) {
        const err = await rejection(store().vcards.put(jid(), xml));
        expect(err).toMatchObject({ code: 'STORE_INVALID_VALUE' });
      }
    });
  });
}
