import { describe, expect, it } from 'vitest';

import { ask, createFakeStore, totals } from '../testing/fixtures.js';

const NOW = 1_750_000_000_000;
const ALICE = 'alice@youbao.com/phone';
const UNAVAILABLE = `<error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error>`;

describe('last activity (XEP-0012)', () => {
  it('when bob logged out 903.9 s ago, then seconds=903', async () => {
    const store = createFakeStore({
      totals: [totals('bob@youbao.com', { lastLogin: NOW - 10_000_000, lastLogout: NOW - 903_900 })],
    });

    const reply = await ask(
      `<iq type='get' to='bob@youbao.com' id='l1'><query xmlns='jabber:iq:last'/></iq>`,
      {
        from: ALICE,
        store,
        now: NOW,
      },
    );

    expect(reply).toBe(
      `<iq type="result" id="l1" from="bob@youbao.com" to="${ALICE}"><query xmlns="jabber:iq:last" seconds="903"/></iq>`,
    );
  });

  it('when bob is online, then seconds=0', async () => {
    const store = createFakeStore({
      totals: [
        totals('bob@youbao.com', {
          onlineSince: NOW - 5000,
          lastLogin: NOW - 5000,
          lastLogout: NOW - 903_000,
        }),
      ],
    });

    const reply = await ask(
      `<iq type='get' to='bob@youbao.com' id='l2'><query xmlns='jabber:iq:last'/></iq>`,
      {
        from: ALICE,
        store,
        now: NOW,
      },
    );

    expect(reply).toBe(
      `<iq type="result" id="l2" from="bob@youbao.com" to="${ALICE}"><query xmlns="jabber:iq:last" seconds="0"/></iq>`,
    );
  });

  it.each([
    ['a user without data', createFakeStore()],
    ['a user who never logged out', createFakeStore({ totals: [totals('bob@youbao.com', { totalMs: 5 })] })],
  ])('when asked about %s, then service-unavailable (the same as for no such user)', async (_name, store) => {
    const reply = await ask(
      `<iq type='get' to='bob@youbao.com' id='l3'><query xmlns='jabber:iq:last'/></iq>`,
      {
        from: ALICE,
        store,
        now: NOW,
      },
    );

    expect(reply).toBe(`<iq type="error" id="l3" from="bob@youbao.com" to="${ALICE}">${UNAVAILABLE}</iq>`);
  });

  it('when the server is asked, then seconds is the uptime of the responder', async () => {
    const reply = await ask(`<iq type='get' to='youbao.com' id='up'><query xmlns='jabber:iq:last'/></iq>`, {
      from: ALICE,
      now: NOW,
      startedAt: NOW - 3_600_500,
    });

    expect(reply).toBe(
      `<iq type="result" id="up" from="youbao.com" to="${ALICE}"><query xmlns="jabber:iq:last" seconds="3600"/></iq>`,
    );
  });

  it('when it is a set, then not-allowed', async () => {
    const reply = await ask(
      `<iq type='set' to='youbao.com' id='s'><query xmlns='jabber:iq:last' seconds='1'/></iq>`,
      {
        from: ALICE,
        now: NOW,
      },
    );

    expect(reply).toBe(
      `<iq type="error" id="s" from="youbao.com" to="${ALICE}"><error type="cancel"><not-allowed xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>`,
    );
  });
});
