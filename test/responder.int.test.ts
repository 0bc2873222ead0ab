/**
 * The responder on a real Kafka broker and a real MySQL/MariaDB database: iq.request events in,
 * iq.reply events out on the edge's topic, every reply compared whole. Online time is written through
 * the store's accounting transaction from session events with chosen timestamps; the responder's
 * clock is injected, so minutes are exact without any sleep.
 */
import { createKafkaBus, type KafkaBus } from '@onlinetime/bus';
import { waitFor } from '@onlinetime/bus/testing';
import {
  bareJid,
  createEvent,
  decodeEventOfTypes,
  edgeTopic,
  encodeEvent,
  iqKey,
  type SessionsEvent,
} from '@onlinetime/events';
import { createLogger, LOG_LEVELS, type LogLevel } from '@onlinetime/logging';
import { createResponder, type Responder } from '@onlinetime/responder';
import { createMysqlStore, type Store } from '@onlinetime/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { kafkaBrokers, mysqlUrl, uniqueId } from './helpers/infra.js';
import { errorOf, MINUTE, recordSessions as recordEvents } from './responder-helpers.js';

const level = LOG_LEVELS.find((l): l is LogLevel => l === process.env['LOG_LEVEL']) ?? 'silent';
const logger = createLogger({ name: 'responder-int-test', level });
const T0 = Date.UTC(2026, 0, 1);

let bus: KafkaBus;
let store: Store;
let responder: Responder;
let now = T0;
const run = uniqueId('r');
const edgeId = uniqueId('edge-');
const iqTopic = uniqueId('int.iq.');
const replies: Array<{ key: string | null; sessionId: string; stanza: string }> = [];
let stopCollector: () => Promise<void> = async () => {};

/** A local user of this run on a served domain (the database is shared by the whole test run). */
const user = (name: string, domain = 'youbao.com'): string => `${name}-${run}@${domain}`;

beforeAll(async () => {
  bus = createKafkaBus({
    brokers: kafkaBrokers(),
    clientId: uniqueId('responder-int-'),
    logger,
    consumer: {
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 500,
      maxWaitTimeInMs: 50,
      redeliveryBackoff: { initialMs: 50, maxMs: 200 },
    },
  });
  store = createMysqlStore({ url: mysqlUrl(), logger });
  // What the edge does at start: its reply topic exists before any IQ names it.
  await bus.ensureTopics([
    { topic: edgeTopic(edgeId), partitions: 1, retentionMs: 3600_000 },
    { topic: iqTopic, partitions: 2, retentionMs: 3600_000 },
  ]);
  const collector = await bus.subscribe({
    groupId: uniqueId('edge-'),
    topics: [edgeTopic(edgeId)],
    handleBatch: async (batch) => {
      for (const m of batch.messages) {
        const event = decodeEventOfTypes(m.value, ['iq.reply']);
        replies.push({ key: m.key, ...event.payload });
      }
    },
  });
  stopCollector = () => collector.stop();
  responder = createResponder({
    bus,
    store,
    logger,
    clock: () => now,
    config: { domains: ['youbao.com', '91youbao.com'], iqTopic, groupId: uniqueId('responder-') },
  });
  await responder.start();
  await Promise.all([responder.ready(), collector.ready]);
});

afterAll(async () => {
  await responder?.stop();
  await stopCollector();
  await bus?.stop();
  await store?.close();
});

interface Iq {
  readonly from: string;
  readonly stanza: string;
}

/** Publishes IQs as the edge would (one session per call) and returns the replies' stanzas in order. */
async function exchange(iqs: readonly Iq[], options: { raw?: Buffer[] } = {}): Promise<string[]> {
  const sessionId = uniqueId('s-');
  const records = iqs.map(({ from, stanza }) => {
    const attrs = /^<iq\b([^>]*)>/.exec(stanza)?.[1] ?? '';
    const attr = (name: string) => new RegExp(`\\b${name}=['"]([^'"]*)['"]`).exec(attrs)?.[1];
    const to = attr('to');
    const payload = {
      edgeId,
      sessionId,
      from,
      ...(to === undefined ? {} : { to }),
      id: attr('id') ?? 'none',
      type: attr('type') === 'set' ? ('set' as const) : ('get' as const),
      stanza,
    };
    return { key: iqKey(from), value: encodeEvent(createEvent('iq.request', payload, { source: edgeId })) };
  });
  const raw = (options.raw ?? []).map((value) => ({ key: iqKey(iqs[0]?.from ?? 'x@y/z'), value }));
  await bus.publish(iqTopic, [...raw, ...records]);
  const mine = () => replies.filter((r) => r.sessionId === sessionId);
  await waitFor(`${iqs.length} replies for ${sessionId}`, () => mine().length >= iqs.length, {
    timeoutMs: 20_000,
  });
  expect(mine().every((r) => r.key === sessionId)).toBe(true);
  return mine().map((r) => r.stanza);
}

const started = (jid: string, sessionId: string, at: number): SessionsEvent =>
  createEvent('session.started', { sessionId, jid, edgeId, bootId: 'b1' }, { source: edgeId, at });
const stopped = (jid: string, sessionId: string, at: number): SessionsEvent =>
  createEvent(
    'session.stopped',
    { sessionId, jid, edgeId, bootId: 'b1', reason: 'closed' },
    { source: edgeId, at },
  );
const recordSessions = (events: SessionsEvent[]): Promise<void> => recordEvents(store, events);

describe('online-time query (spec part 1)', () => {
  it.each(['youbao:xmpp:onlinetime', 'guoguo:xmpp:onlinetime'])(
    'examples 1-2 in %s: when user2 asks for user1, then user1 answers user2 with whole minutes',
    async (ns) => {
      const user1 = user(`user1-${ns.slice(0, 5)}`, '91youbao.com');
      const user2 = `${user('user2', '91youbao.com')}/exmpp#1277866988908261`;
      const sid = uniqueId('sess-');
      await recordSessions([
        started(`${user1}/pc`, sid, T0),
        stopped(`${user1}/pc`, sid, T0 + 12345 * MINUTE + 59_999),
      ]);
      now = T0 + 100_000 * MINUTE;

      const [reply] = await exchange([
        {
          from: user2,
          stanza: `<iq type='get' to='${user1}' from='${bareJid(user2)}' id='v1'><query xmlns='${ns}'/></iq>`,
        },
      ]);

      expect(reply).toBe(
        `<iq type="result" id="v1" from="${user1}" to="${user2}"><query xmlns="${ns}"><onlinetime>12345</onlinetime></query></iq>`,
      );
    },
  );

  it('when a user is online with two resources at once, then the union counts once and grows while online', async () => {
    const alice = user('alice');
    const bob = `${user('bob')}/home`;
    await recordSessions([
      started(`${alice}/phone`, uniqueId('p-'), T0),
      started(`${alice}/laptop`, uniqueId('l-'), T0 + 2 * MINUTE),
    ]);
    const ask = {
      from: bob,
      stanza: `<iq type='get' to='${alice}' id='m'><query xmlns='youbao:xmpp:onlinetime'/></iq>`,
    };
    const answer = (minutes: number) =>
      `<iq type="result" id="m" from="${alice}" to="${bob}"><query xmlns="youbao:xmpp:onlinetime"><onlinetime>${minutes}</onlinetime></query></iq>`;

    now = T0 + 10 * MINUTE - 1;
    expect(await exchange([ask])).toEqual([answer(9)]);
    now = T0 + 10 * MINUTE;
    expect(await exchange([ask])).toEqual([answer(10)]);
    now = T0 + 75 * MINUTE + 30_000;
    expect(await exchange([ask])).toEqual([answer(75)]);
  });

  it('when a user has no statistics or does not exist, then both answers are 0; a set is not-allowed', async () => {
    const me = `${user('asker')}/r`;
    const ghost = user('ghost');

    const answers = await exchange([
      {
        from: me,
        stanza: `<iq type='get' to='${ghost}' id='g'><query xmlns='youbao:xmpp:onlinetime'/></iq>`,
      },
      { from: me, stanza: `<iq type='get' id='own'><query xmlns='youbao:xmpp:onlinetime'/></iq>` },
      {
        from: me,
        stanza: `<iq type='set' id='forge'><query xmlns='youbao:xmpp:onlinetime'><onlinetime>999</onlinetime></query></iq>`,
      },
    ]);

    expect(answers).toEqual([
      `<iq type="result" id="g" from="${ghost}" to="${me}"><query xmlns="youbao:xmpp:onlinetime"><onlinetime>0</onlinetime></query></iq>`,
      `<iq type="result" id="own" from="${bareJid(me)}" to="${me}"><query xmlns="youbao:xmpp:onlinetime"><onlinetime>0</onlinetime></query></iq>`,
      `<iq type="error" id="forge" from="${bareJid(me)}" to="${me}">${errorOf('cancel', 'not-allowed', 'online time is computed by the server')}</iq>`,
    ]);
  });
});

describe('vCard with YB_ONLINETIME (spec part 2)', () => {
  it('examples 1-4: set, own get, other user get, user without vCard', async () => {
    const user1 = `${user('user1')}/resource`;
    const user2 = `${user('user2')}/phone`;
    const user4 = user('user4');
    const s1 = uniqueId('a-');
    const s2 = uniqueId('b-');
    await recordSessions([
      started(user1, s1, T0),
      stopped(user1, s1, T0 + 2643 * MINUTE + 1),
      started(user2, s2, T0),
      stopped(user2, s2, T0 + 3424 * MINUTE + 59_000),
    ]);
    now = T0 + 5000 * MINUTE;
    await exchange([
      {
        from: user2,
        stanza: `<iq id='p' type='set'><vCard xmlns='vcard-temp'><NICKNAME>jer</NICKNAME></vCard></iq>`,
      },
    ]);

    const answers = await exchange([
      {
        from: user1,
        stanza: `<iq id='v2' type='set'><vCard xmlns='vcard-temp'><NICKNAME>user1_newnickname</NICKNAME></vCard></iq>`,
      },
      { from: user1, stanza: `<iq id='v1' type='get'><vCard xmlns='vcard-temp'/></iq>` },
      {
        from: user1,
        stanza: `<iq id='v3' to='${bareJid(user2)}' type='get'><vCard xmlns='vcard-temp'/></iq>`,
      },
      { from: user1, stanza: `<iq id='v4' to='${user4}' type='get'><vCard xmlns='vcard-temp'/></iq>` },
    ]);

    expect(answers).toEqual([
      `<iq type="result" id="v2" from="${bareJid(user1)}" to="${user1}"/>`,
      `<iq type="result" id="v1" from="${bareJid(user1)}" to="${user1}"><vCard xmlns="vcard-temp"><NICKNAME>user1_newnickname</NICKNAME><YB_ONLINETIME>2643</YB_ONLINETIME></vCard></iq>`,
      `<iq type="result" id="v3" from="${bareJid(user2)}" to="${user1}"><vCard xmlns="vcard-temp"><NICKNAME>jer</NICKNAME><YB_ONLINETIME>3424</YB_ONLINETIME></vCard></iq>`,
      `<iq type="result" id="v4" from="${user4}" to="${user1}"/>`,
    ]);
  });

  it('when a vCard with a PHOTO is stored, then it comes back unchanged, online time last', async () => {
    const me = `${user('photo')}/r`;
    const vcard = `<vCard xmlns="vcard-temp">\n  <FN>P &amp; Q</FN>\n  <PHOTO><TYPE>image/png</TYPE><BINVAL>${'QUJD'.repeat(2000)}</BINVAL></PHOTO>\n  <NICKNAME>ü☃😀</NICKNAME>\n</vCard>`;

    const answers = await exchange([
      { from: me, stanza: `<iq id='s' type='set'>${vcard}</iq>` },
      { from: me, stanza: `<iq id='g' type='get'><vCard xmlns='vcard-temp'/></iq>` },
    ]);

    expect(answers[1]).toBe(
      `<iq type="result" id="g" from="${bareJid(me)}" to="${me}">${vcard.replace('\n</vCard>', '\n<YB_ONLINETIME>0</YB_ONLINETIME></vCard>')}</iq>`,
    );
  });

  it('when a set forges YB_ONLINETIME and a forged from, then neither has any effect', async () => {
    const mallory = `${user('mallory')}/x`;
    const victim = user('victim');
    const s = uniqueId('m-');
    await recordSessions([started(mallory, s, T0), stopped(mallory, s, T0 + 5 * MINUTE)]);
    now = T0 + 6 * MINUTE;

    const answers = await exchange([
      {
        from: mallory,
        stanza:
          `<iq id='f' type='set' from='${victim}/pwned'><vCard xmlns='vcard-temp'><FN>m</FN>` +
          `<YB_ONLINETIME>999999</YB_ONLINETIME><ORG><YB_ONLINETIME>1</YB_ONLINETIME></ORG></vCard></iq>`,
      },
      { from: mallory, stanza: `<iq id='g' type='get'><vCard xmlns='vcard-temp'/></iq>` },
      { from: mallory, stanza: `<iq id='v' type='get' to='${victim}'><vCard xmlns='vcard-temp'/></iq>` },
    ]);

    expect(answers).toEqual([
      `<iq type="result" id="f" from="${bareJid(mallory)}" to="${mallory}"/>`,
      `<iq type="result" id="g" from="${bareJid(mallory)}" to="${mallory}"><vCard xmlns="vcard-temp"><FN>m</FN><ORG/><YB_ONLINETIME>5</YB_ONLINETIME></vCard></iq>`,
      `<iq type="result" id="v" from="${victim}" to="${mallory}"/>`,
    ]);
    expect(await store.vcards.getMany([bareJid(mallory), victim])).toEqual(
      new Map([[bareJid(mallory), `<vCard xmlns="vcard-temp"><FN>m</FN><ORG/></vCard>`]]),
    );
  });

  it('when a set is oversized or addressed to another user, then not-acceptable or forbidden, and nothing is stored', async () => {
    const me = `${user('big')}/r`;
    const other = user('other');
    const big = `<vCard xmlns='vcard-temp'><DESC>${'x'.repeat(64 * 1024)}</DESC></vCard>`;

    const answers = await exchange([
      { from: me, stanza: `<iq id='big' type='set'>${big}</iq>` },
      {
        from: me,
        stanza: `<iq id='else' type='set' to='${other}'><vCard xmlns='vcard-temp'><FN>x</FN></vCard></iq>`,
      },
    ]);

    expect(answers).toEqual([
      `<iq type="error" id="big" from="${bareJid(me)}" to="${me}">${errorOf('modify', 'not-acceptable', 'vCard larger than 65536 bytes')}</iq>`,
      `<iq type="error" id="else" from="${other}" to="${me}">${errorOf('auth', 'forbidden')}</iq>`,
    ]);
    expect(await store.vcards.getMany([bareJid(me), other])).toEqual(new Map());
  });
});

describe('last activity (XEP-0012)', () => {
  it('when asked about a user who logged out, one online, one without data, and the server', async () => {
    const me = `${user('lastq')}/r`;
    const gone = user('gone');
    const here = user('here');
    const s1 = uniqueId('g-');
    await recordSessions([
      started(`${gone}/a`, s1, T0),
      stopped(`${gone}/a`, s1, T0 + MINUTE),
      started(`${here}/a`, uniqueId('h-'), T0),
    ]);
    now = T0 + MINUTE + 903_999;

    const answers = await exchange([
      { from: me, stanza: `<iq id='1' type='get' to='${gone}'><query xmlns='jabber:iq:last'/></iq>` },
      { from: me, stanza: `<iq id='2' type='get' to='${here}'><query xmlns='jabber:iq:last'/></iq>` },
      {
        from: me,
        stanza: `<iq id='3' type='get' to='${user('nobody')}'><query xmlns='jabber:iq:last'/></iq>`,
      },
      { from: me, stanza: `<iq id='4' type='get' to='youbao.com'><query xmlns='jabber:iq:last'/></iq>` },
    ]);

    expect(answers.slice(0, 3)).toEqual([
      `<iq type="result" id="1" from="${gone}" to="${me}"><query xmlns="jabber:iq:last" seconds="903"/></iq>`,
      `<iq type="result" id="2" from="${here}" to="${me}"><query xmlns="jabber:iq:last" seconds="0"/></iq>`,
      `<iq type="error" id="3" from="${user('nobody')}" to="${me}">${errorOf('cancel', 'service-unavailable')}</iq>`,
    ]);
    // The responder started when the clock read T0: the server's uptime is the clock's advance since.
    expect(answers[3]).toBe(
      `<iq type="result" id="4" from="youbao.com" to="${me}"><query xmlns="jabber:iq:last" seconds="963"/></iq>`,
    );
  });
});

describe('malformed input', () => {
  it('when events are not valid iq.request events, then they are skipped and the next IQ is answered', async () => {
    const me = `${user('poison')}/r`;

    const answers = await exchange(
      [{ from: me, stanza: `<iq id='after' type='get'><query xmlns='youbao:xmpp:onlinetime'/></iq>` }],
      {
        raw: [Buffer.from('{"not":"an event"}'), Buffer.from([0xff, 0xfe, 0x00])],
      },
    );

    expect(answers).toEqual([
      `<iq type="result" id="after" from="${bareJid(me)}" to="${me}"><query xmlns="youbao:xmpp:onlinetime"><onlinetime>0</onlinetime></query></iq>`,
    ]);
  });

  it('when stanzas are malformed, addressed oddly or unknown, then the exact error replies', async () => {
    const me = `${user('odd')}/r`;
    const own = bareJid(me);

    const answers = await exchange([
      { from: me, stanza: `<iq id='a' type='get'><query xmlns='youbao:xmpp:onlinetime'>` },
      { from: me, stanza: `<iq id='b' type='get'/>` },
      { from: me, stanza: `<iq id='c' type='get'><query xmlns='jabber:iq:version'/></iq>` },
      {
        from: me,
        stanza: `<iq id='d' type='get' to='someone@elsewhere.org'><vCard xmlns='vcard-temp'/></iq>`,
      },
      { from: me, stanza: `<iq id='e' type='get'><!-- hi --><vCard xmlns='vcard-temp'/></iq>` },
    ]);

    expect(answers).toEqual([
      `<iq type="error" id="a" from="${own}" to="${me}">${errorOf('modify', 'bad-request')}</iq>`,
      `<iq type="error" id="b" from="${own}" to="${me}">${errorOf('modify', 'bad-request')}</iq>`,
      `<iq type="error" id="c" from="${own}" to="${me}">${errorOf('cancel', 'service-unavailable')}</iq>`,
      `<iq type="error" id="d" from="someone@elsewhere.org" to="${me}">${errorOf('cancel', 'remote-server-not-found')}</iq>`,
      `<iq type="error" id="e" from="${own}" to="${me}">${errorOf('modify', 'bad-request')}</iq>`,
    ]);
  });
});

describe('store down', () => {
  it('when MySQL is unreachable, then the IQ is not answered and not acknowledged; another member answers it right later', async () => {
    const topic = uniqueId('int.iq.down.');
    const groupId = uniqueId('responder-down-');
    await bus.ensureTopics([{ topic, partitions: 1, retentionMs: 3600_000 }]);
    const unreachable = createMysqlStore({ url: 'mysql://root@127.0.0.1:1/nothing', logger });
    let attempts = 0;
    const counting = {
      vcards: unreachable.vcards,
      onlineTime: {
        getMany: (jids: readonly string[]) => (attempts++, unreachable.onlineTime.getMany(jids)),
      },
    };
    const config = { domains: ['youbao.com'], iqTopic: topic, groupId };
    const down = createResponder({ bus, store: counting, logger, clock: () => now, config });
    const me = `${user('down')}/r`;
    const s = uniqueId('d-');
    await recordSessions([started(me, s, T0), stopped(me, s, T0 + 42 * MINUTE)]);
    const sessionId = uniqueId('s-');
    const payload = {
      edgeId,
      sessionId,
      from: me,
      id: 'q',
      type: 'get' as const,
      stanza: `<iq id='q' type='get'><query xmlns='youbao:xmpp:onlinetime'/></iq>`,
    };

    await down.start();
    await bus.publish(topic, [
      { key: iqKey(me), value: encodeEvent(createEvent('iq.request', payload, { source: edgeId })) },
    ]);
    await waitFor('three failed attempts', () => attempts >= 3, { timeoutMs: 20_000 });
    await down.stop();
    await unreachable.close();
    expect(replies.filter((r) => r.sessionId === sessionId)).toEqual([]);

    const healthy = createResponder({ bus, store, logger, clock: () => now, config });
    await healthy.start();
    try {
      await waitFor('the reply', () => replies.some((r) => r.sessionId === sessionId), { timeoutMs: 30_000 });
    } finally {
      await healthy.stop();
    }

    expect(replies.filter((r) => r.sessionId === sessionId).map((r) => r.stanza)).toEqual([
      `<iq type="result" id="q" from="${bareJid(me)}" to="${me}"><query xmlns="youbao:xmpp:onlinetime"><onlinetime>42</onlinetime></query></iq>`,
    ]);
  });
});
