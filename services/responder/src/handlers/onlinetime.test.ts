import { describe, expect, it } from 'vitest';

import { ask, createFakeStore, MINUTE, totals } from '../testing/fixtures.js';

const NOW = 1_750_000_000_000;
const USER2 = 'user2@91youbao.com/exmpp#1277866988908261';

describe('online-time query (spec part 1)', () => {
  const domains = ['91youbao.com'];

  it.each(['youbao:xmpp:onlinetime', 'guoguo:xmpp:onlinetime'])(
    'when user2 asks for user1 in %s, then the result comes from user1 to user2 with whole minutes in the same namespace',
    async (ns) => {
      const store = createFakeStore({
        totals: [totals('user1@91youbao.com', { totalMs: 12345 * MINUTE + 59_999 })],
      });

      const reply = await ask(
        `<iq type='get' to='user1@91youbao.com' from='user2@91youbao.com' id='v1'><query xmlns='${ns}'/></iq>`,
        {
          from: USER2,
          store,
          now: NOW,
          domains,
        },
      );

      expect(reply).toBe(
        `<iq type="result" id="v1" from="user1@91youbao.com" to="${USER2}"><query xmlns="${ns}"><onlinetime>12345</onlinetime></query></iq>`,
      );
      expect(store.calls.totals).toEqual([['user1@91youbao.com']]);
    },
  );

  it('when the user is online now, then the current stretch is counted', async () => {
    const store = createFakeStore({
      totals: [totals('user1@91youbao.com', { totalMs: 10 * MINUTE, onlineSince: NOW - 5 * MINUTE - 1 })],
    });

    const reply = await ask(
      `<iq type='get' to='user1@91youbao.com' id='a'><query xmlns='youbao:xmpp:onlinetime'/></iq>`,
      {
        from: USER2,
        store,
        now: NOW,
        domains,
      },
    );

    expect(reply).toBe(
      `<iq type="result" id="a" from="user1@91youbao.com" to="${USER2}"><query xmlns="youbao:xmpp:onlinetime"><onlinetime>15</onlinetime></query></iq>`,
    );
  });

  it('when a user without statistics and a user that does not exist are asked, then both answers are 0', async () => {
    const store = createFakeStore({ totals: [totals('quiet@91youbao.com')] });
    const question = (to: string) =>
      `<iq type='get' to='${to}' id='a'><query xmlns='youbao:xmpp:onlinetime'/></iq>`;
    const answer = (to: string) =>
      `<iq type="result" id="a" from="${to}" to="${USER2}"><query xmlns="youbao:xmpp:onlinetime"><onlinetime>0</onlinetime></query></iq>`;

    const quiet = await ask(question('quiet@91youbao.com'), { from: USER2, store, now: NOW, domains });
    const nobody = await ask(question('nobody@91youbao.com'), { from: USER2, store, now: NOW, domains });

    expect(quiet).toBe(answer('quiet@91youbao.com'));
    expect(nobody).toBe(answer('nobody@91youbao.com'));
  });

  it('when there is no to, then the requester gets their own minutes from their bare JID', async () => {
    const store = createFakeStore({ totals: [totals('user2@91youbao.com', { totalMs: 3 * MINUTE })] });

    const reply = await ask(`<iq type='get' id='self'><query xmlns='guoguo:xmpp:onlinetime'/></iq>`, {
      from: USER2,
      store,
      now: NOW,
      domains,
    });

    expect(reply).toBe(
      `<iq type="result" id="self" from="user2@91youbao.com" to="${USER2}"><query xmlns="guoguo:xmpp:onlinetime"><onlinetime>3</onlinetime></query></iq>`,
    );
  });

  it('when the query is a set, then not-allowed', async () => {
    const reply = await ask(
      `<iq type='set' id='s'><query xmlns='youbao:xmpp:onlinetime'><onlinetime>99999</onlinetime></query></iq>`,
      { from: USER2, now: NOW, domains },
    );

    expect(reply).toBe(
      `<iq type="error" id="s" from="user2@91youbao.com" to="${USER2}"><error type="cancel"><not-allowed xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas" xml:lang="en">online time is computed by the server</text></error></iq>`,
    );
  });

  it('when the query is sent to the server, then service-unavailable', async () => {
    const reply = await ask(
      `<iq type='get' to='91youbao.com' id='d'><query xmlns='youbao:xmpp:onlinetime'/></iq>`,
      {
        from: USER2,
        now: NOW,
        domains,
      },
    );

    expect(reply).toBe(
      `<iq type="error" id="d" from="91youbao.com" to="${USER2}"><error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>`,
    );
  });
});
