/**
 * Issue 8, abuse against a running edge process: password guessing from one address and against one
 * account is throttled, then refused; a client that never reads cannot make the edge buffer without
 * bound (the connection is closed, RSS stays bounded); SQL metacharacters in user names and vCard
 * fields, a forged `from` and a forged YB_ONLINETIME change nothing they should not. A control client
 * connected all along keeps getting its pings answered.
 */
import { setTimeout as delay } from 'node:timers/promises';

import { waitFor } from '@onlinetime/bus/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addTestUser } from '../helpers/xmpp-edge.js';
import { startHostileHarness, type HostileHarness } from './hostile-harness.js';
import { login, scram, Wire } from './wire.js';

const BLOCK_AFTER = 10;
const RSS_GROWTH_LIMIT_KB = 48 * 1024;
const WRITE_BUFFER = 256 * 1024;

let h: HostileHarness;
const opened: Wire[] = [];

beforeAll(async () => {
  h = await startHostileHarness(16, {
    AUTH_FAILURES_BEFORE_DELAY: '3',
    AUTH_FAILURE_DELAY_MS: '50',
    AUTH_FAILURES_BEFORE_BLOCK: String(BLOCK_AFTER),
    AUTH_BLOCK_MS: '120000',
    MAX_WRITE_BUFFER_BYTES: String(WRITE_BUFFER),
  });
}, 120_000);

afterAll(async () => {
  for (const w of opened) w.destroy();
  await h?.close();
});

async function wire(address = h.nextAddress()): Promise<Wire> {
  const w = await Wire.connect(h.edge.xmppPort, address);
  opened.push(w);
  return w;
}

/** One SCRAM attempt on a new connection; resolves its outcome. */
async function attempt(user: string, password: string, address?: string): Promise<string> {
  const w = await wire(address);
  await w.openStream();
  const { outcome } = await scram(w, user, password);
  w.destroy();
  return outcome;
}

describe('abuse against a running edge process', () => {
  it(`refuses an address after ${BLOCK_AFTER} failed logins, even with a right password`, async () => {
    const attacker = h.nextAddress();
    const outcomes: string[] = [];
    for (let i = 0; i < BLOCK_AFTER + 2; i++)
      outcomes.push(await attempt(h.users[i % 8] as string, `guess${i}`, attacker));
    expect(outcomes).toEqual([
      ...Array<string>(BLOCK_AFTER).fill('not-authorized'),
      'temporary-auth-failure',
      'temporary-auth-failure',
    ]);
    expect(await attempt(h.users[8] as string, 'pw', attacker)).toBe('temporary-auth-failure');
    expect(await attempt(h.users[8] as string, 'pw')).toBe('success');
  });

  it(`refuses an account after ${BLOCK_AFTER} failed logins from many addresses`, async () => {
    const target = h.users[9] as string;
    const outcomes: string[] = [];
    for (let i = 0; i < BLOCK_AFTER + 2; i++) outcomes.push(await attempt(target, `guess${i}`));
    expect(outcomes).toEqual([
      ...Array<string>(BLOCK_AFTER).fill('not-authorized'),
      'temporary-auth-failure',
      'temporary-auth-failure',
    ]);
    const fresh = h.nextAddress();
    expect(await attempt(target, 'pw', fresh)).toBe('temporary-auth-failure');
    expect(await attempt(h.users[10] as string, 'pw', fresh)).toBe('success');
    h.assertAlive();
  });

  it('closes a client that never reads; the edge does not buffer without bound', async () => {
    const w = await wire();
    await login(w, h.users[11] as string, 'pw', 'slow');
    const big = `<DESC>${'d'.repeat(60 * 1024)}</DESC>`;
    w.send(`<iq type='set' id='set'><vCard xmlns='vcard-temp'>${big}</vCard></iq>`);
    await w.expect(/<iq[^>]*id="set"[^>]*\/>|<iq[^>]*id="set"[\s\S]*?<\/iq>/, 20_000);
    const before = h.sampleRss();
    const closes = h.edge.count('closing a connection that does not read');
    w.socket.pause(); // never read again: the replies pile up in the kernel, then in the edge
    let sent = 0;
    const deadline = Date.now() + 60_000;
    while (h.edge.count('closing a connection that does not read') === closes && Date.now() < deadline) {
      for (let i = 0; i < 64; i++) w.send(`<iq type='get' id='g${sent++}'><vCard xmlns='vcard-temp'/></iq>`);
      h.sampleRss();
      await delay(500);
    }
    expect(h.edge.count('closing a connection that does not read')).toBe(closes + 1);
    // What the edge held for this client when it gave up: its limit plus at most one reply.
    const closed = h.edge
      .lines()
      .filter((l) => l.msg === 'closing a connection that does not read')
      .at(-1);
    expect(closed?.buffered).toBeLessThan(WRITE_BUFFER + 128 * 1024);
    const growth = h.maxRssKb() - before;
    console.log(
      JSON.stringify({
        case: 'slow-reader',
        vCardGetsSent: sent,
        bufferedAtClose: closed?.buffered,
        rssGrowthKb: growth,
      }),
    );
    expect(growth).toBeLessThan(RSS_GROWTH_LIMIT_KB);
    h.assertAlive();
  });

  it('stores SQL metacharacters in user names and vCards as data; forged from and YB_ONLINETIME change nothing', async () => {
    const local = `r;drop_table-users--%_\\\`)*${h.users.length}`;
    await addTestUser(h.store.users, local, 'pw');
    const w = await wire();
    const jid = await login(w, local, 'pw', 'sql');
    const victim = `${h.users[12]}@localhost`;
    const fields = `<FN>Robert'); DROP TABLE vcards;--</FN><NICKNAME>%_\\' OR '1'='1</NICKNAME><DESC>"; DELETE FROM users; -- \`x\`</DESC>`;
    w.send(
      `<iq type='set' id='s1' from='${victim}/x'><vCard xmlns='vcard-temp'>${fields}<YB_ONLINETIME>999999</YB_ONLINETIME></vCard></iq>`,
    );
    expect(await w.expect(/<iq[^>]*id="s1"[^>]*\/>|<iq[^>]*id="s1"[\s\S]*?<\/iq>/, 20_000)).toContain(
      'type="result"',
    );
    w.send(`<iq type='get' id='g1'><vCard xmlns='vcard-temp'/></iq>`);
    const got = await w.expect(/<iq[^>]*id="g1"[\s\S]*?<\/iq>/, 20_000);
    expect(got).toContain(`to="${jid.replace(/&/g, '&amp;')}"`);
    expect(got).toContain(
      `<FN>Robert'); DROP TABLE vcards;--</FN><NICKNAME>%_\\' OR '1'='1</NICKNAME><DESC>"; DELETE FROM users; -- \`x\`</DESC>`,
    );
    expect(got.match(/<YB_ONLINETIME>/g)).toHaveLength(1);
    expect(got).toMatch(/<YB_ONLINETIME>0<\/YB_ONLINETIME>/);
    // The forged from wrote nothing for the victim; every account is still there.
    expect((await h.store.vcards.getMany([victim])).size).toBe(0);
    expect(
      (await h.store.users.existing([...h.users.map((u) => `${u}@localhost`), jid.split('/')[0] as string]))
        .size,
    ).toBe(h.users.length + 1);
  });

  it('stayed up; the control client never missed a ping', async () => {
    await waitFor('a few more pings', () => h.control().pings > 20, { timeoutMs: 20_000 });
    const control = h.control();
    console.log(
      JSON.stringify({
        case: 'hostile-abuse',
        control,
        rss: { baselineKb: h.baselineRssKb, maxKb: h.maxRssKb() },
      }),
    );
    expect(control.failures).toEqual([]);
    h.assertAlive();
  });
});
