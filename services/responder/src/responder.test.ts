import { emptyUserState, type UserState } from '@onlinetime/accounting';
import { createEmbeddedBus, type EmbeddedBus } from '@onlinetime/bus';
import { edgeTopic } from '@onlinetime/events';
import { createMetrics } from '@onlinetime/metrics';
import { createMemoryStore } from '@onlinetime/store';
import type { Store } from '@onlinetime/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createResponder, type Responder } from './responder.js';
import {
  collectReplies,
  iqRequestRecord,
  unique,
  waitFor,
  type ReplyCollector,
} from './testing/bus-fixtures.js';
import { createSinkLogger, MINUTE } from './testing/fixtures.js';

const NOW = 1_750_000_000_000;
const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const ALICE = 'alice@youbao.com/phone';

async function seedTotals(store: Store, users: UserState[]): Promise<void> {
  const key = { groupId: unique('seed-'), topic: 'seed', partition: 0 };
  await store.accounting.inPartitionTransaction(key, (tx) =>
    tx.save({ users, opened: [], finished: [], nextOffset: '1' }),
  );
}

/** Counts the batch queries of a store and can be switched off (the database is down). */
function instrumented(store: Store) {
  const counts = { totals: 0, vcards: 0, vcardsWithTotals: 0, puts: 0 };
  const state = { down: false };
  const failIfDown = () => {
    if (state.down) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  };
  return {
    counts,
    state,
    store: {
      onlineTime: {
        getMany: async (jids: readonly string[]) => (
          counts.totals++,
          failIfDown(),
          store.onlineTime.getMany(jids)
        ),
      },
      vcards: {
        getMany: async (jids: readonly string[]) => (
          counts.vcards++,
          failIfDown(),
          store.vcards.getMany(jids)
        ),
        getManyWithTotals: async (jids: readonly string[]) => (
          counts.vcardsWithTotals++,
          failIfDown(),
          store.vcards.getManyWithTotals(jids)
        ),
        put: async (jid: string, xml: string) => (counts.puts++, failIfDown(), store.vcards.put(jid, xml)),
      },
    },
  };
}

describe('responder over the embedded bus and the memory store', () => {
  let bus: EmbeddedBus;
  let store: Store;
  let responder: Responder | undefined;
  let collector: ReplyCollector | undefined;
  let iqTopic: string;
  let edgeId: string;
  const sink = createSinkLogger();

  beforeEach(async () => {
    bus = createEmbeddedBus({ redeliveryBackoff: { initialMs: 5, maxMs: 20 } });
    store = createMemoryStore();
    iqTopic = unique('iq-');
    edgeId = unique('edge-');
    await bus.ensureTopics([{ topic: edgeTopic(edgeId), partitions: 1, retentionMs: -1 }]);
    collector = await collectReplies(bus, edgeTopic(edgeId));
    sink.lines.length = 0;
  });

  afterEach(async () => {
    await responder?.stop();
    await collector?.stop();
    await bus.stop();
    responder = undefined;
  });

  const start = async (deps: Partial<Parameters<typeof createResponder>[0]> = {}) => {
    responder = createResponder({
      bus,
      store,
      logger: sink.logger,
      clock: () => NOW,
      config: { domains: ['youbao.com'], iqTopic, groupId: unique('responder-') },
      ...deps,
    });
    await responder.start();
    await responder.ready();
  };
  const replies = () => collector?.replies ?? [];
  const request = (
    id: string,
    type: 'get' | 'set',
    child: string,
    extra: { to?: string; from?: string; sessionId?: string } = {},
  ) =>
    iqRequestRecord({
      edgeId,
      sessionId: extra.sessionId ?? 's1',
      from: extra.from ?? ALICE,
      id,
      type,
      child,
      ...(extra.to ? { to: extra.to } : {}),
    });

  it("when a set and a get of the same vCard arrive in one batch, then the get sees the set and its owner's totals, with one query per kind and one for those totals", async () => {
    const probe = instrumented(store);
    await seedTotals(store, [{ ...emptyUserState('alice@youbao.com'), totalMs: 7 * MINUTE }]);
    await bus.ensureTopics([{ topic: iqTopic, partitions: 1, retentionMs: -1 }]);
    await bus.publish(iqTopic, [
      request('g0', 'get', `<vCard xmlns='vcard-temp'/>`),
      request(
        's1',
        'set',
        `<vCard xmlns='vcard-temp'><FN>Alice</FN><YB_ONLINETIME>99999</YB_ONLINETIME></vCard>`,
      ),
      request('g1', 'get', `<vCard xmlns='vcard-temp'/>`),
      request('t1', 'get', `<query xmlns='guoguo:xmpp:onlinetime'/>`, { to: 'bob@youbao.com' }),
    ]);

    await start({ store: probe.store });
    await waitFor('4 replies', () => replies().length === 4);

    expect(replies().map((r) => r.stanza)).toEqual([
      `<iq type="result" id="g0" from="alice@youbao.com" to="${ALICE}"/>`,
      `<iq type="result" id="s1" from="alice@youbao.com" to="${ALICE}"/>`,
      `<iq type="result" id="g1" from="alice@youbao.com" to="${ALICE}"><vCard xmlns="vcard-temp"><FN>Alice</FN><YB_ONLINETIME>7</YB_ONLINETIME></vCard></iq>`,
      `<iq type="result" id="t1" from="bob@youbao.com" to="${ALICE}"><query xmlns="guoguo:xmpp:onlinetime"><onlinetime>0</onlinetime></query></iq>`,
    ]);
    expect(replies().map((r) => [r.key, r.sessionId, r.source])).toEqual(
      Array(4).fill(['s1', 's1', 'responder']),
    );
    // The batch: bob's totals, alice's vCard with totals (none stored yet), the set; then alice's
    // totals, which the get after the set needs and the first read did not return.
    expect(probe.counts).toEqual({ totals: 2, vcards: 0, vcardsWithTotals: 1, puts: 1 });
    expect(await store.vcards.getMany(['alice@youbao.com'])).toEqual(
      new Map([['alice@youbao.com', `<vCard xmlns="vcard-temp"><FN>Alice</FN></vCard>`]]),
    );
  });

  it('when events are invalid, then they are logged with topic/partition/offset and skipped, and later IQs are answered', async () => {
    await bus.ensureTopics([{ topic: iqTopic, partitions: 1, retentionMs: -1 }]);
    await bus.publish(iqTopic, [
      { key: 'k', value: Buffer.from('not json') },
      {
        key: 'k',
        value: Buffer.from(
          JSON.stringify({
            id: 'x',
            type: 'iq.reply',
            version: 1,
            at: 1,
            source: 'e',
            payload: { sessionId: 's', stanza: '<iq/>' },
          }),
        ),
      },
      request('ok', 'get', `<query xmlns='youbao:xmpp:onlinetime'/>`),
    ]);

    await start();
    await waitFor('1 reply', () => replies().length === 1);

    expect(replies()[0]?.stanza).toBe(
      `<iq type="result" id="ok" from="alice@youbao.com" to="${ALICE}"><query xmlns="youbao:xmpp:onlinetime"><onlinetime>0</onlinetime></query></iq>`,
    );
    const skipped = sink.lines.filter((l) => l['msg'] === 'invalid event skipped');
    expect(skipped.map((l) => [l['topic'], l['partition'], l['offset'], l['level']])).toEqual([
      [iqTopic, 0, '0', 40],
      [iqTopic, 0, '1', 40],
    ]);
  });

  it.each([
    ['not XML', `<iq type='get' id='m'><query`, 'bad-request', 'modify', ''],
    ['not an iq', `<message type='get' id='m'/>`, 'bad-request', 'modify', ''],
    ['a DOCTYPE', `<!DOCTYPE x [<!ENTITY a 'b'>]><iq type='get' id='m'/>`, 'bad-request', 'modify', ''],
    [
      'too large',
      `<iq type='set' id='m'><vCard xmlns='vcard-temp'><DESC>${'x'.repeat(140 * 1024)}</DESC></vCard></iq>`,
      'not-acceptable',
      'modify',
      'stanza too large',
    ],
  ])(
    'when the stanza of a valid event is %s, then an error reply from the envelope',
    async (_name, stanza, condition, type, text) => {
      await bus.ensureTopics([{ topic: iqTopic, partitions: 1, retentionMs: -1 }]);
      await bus.publish(iqTopic, [
        iqRequestRecord({ edgeId, sessionId: 's9', from: ALICE, id: 'm', type: 'get', stanza }),
      ]);

      await start();
      await waitFor('1 reply', () => replies().length === 1);

      const textElement = text === '' ? '' : `<text xmlns="${STANZAS}" xml:lang="en">${text}</text>`;
      expect(replies()[0]).toMatchObject({
        sessionId: 's9',
        stanza: `<iq type="error" id="m" from="alice@youbao.com" to="${ALICE}"><error type="${type}"><${condition} xmlns="${STANZAS}"/>${textElement}</error></iq>`,
      });
    },
  );

  it('when the store is down, then nothing is answered until it is back, and then the answer is right', async () => {
    const probe = instrumented(store);
    probe.state.down = true;
    await seedTotals(store, [{ ...emptyUserState('alice@youbao.com'), totalMs: 3 * MINUTE }]);
    await bus.ensureTopics([{ topic: iqTopic, partitions: 1, retentionMs: -1 }]);
    await bus.publish(iqTopic, [request('d', 'get', `<query xmlns='youbao:xmpp:onlinetime'/>`)]);

    await start({ store: probe.store });
    await waitFor('three failed attempts', () => probe.counts.totals >= 3);
    expect(replies()).toEqual([]);
    probe.state.down = false;
    await waitFor('1 reply', () => replies().length === 1);

    expect(replies().map((r) => r.stanza)).toEqual([
      `<iq type="result" id="d" from="alice@youbao.com" to="${ALICE}"><query xmlns="youbao:xmpp:onlinetime"><onlinetime>3</onlinetime></query></iq>`,
    ]);
  }, 20_000);

  it('when an edge reply topic does not exist, then its replies are dropped and the partition goes on', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    await bus.ensureTopics([{ topic: iqTopic, partitions: 1, retentionMs: -1 }]);
    await bus.publish(iqTopic, [
      iqRequestRecord({
        edgeId: 'gone',
        sessionId: 'sx',
        from: ALICE,
        id: 'lost',
        type: 'get',
        child: `<query xmlns='youbao:xmpp:onlinetime'/>`,
      }),
      request('kept', 'get', `<query xmlns='jabber:iq:last'/>`, { to: 'youbao.com' }),
    ]);

    await start({ metrics });
    await waitFor('1 reply', () => replies().length === 1);

    expect(replies()[0]?.stanza).toBe(
      `<iq type="result" id="kept" from="youbao.com" to="${ALICE}"><query xmlns="jabber:iq:last" seconds="0"/></iq>`,
    );
    expect(
      sink.lines.filter((l) => l['msg'] === 'replies dropped: edge reply topic does not exist'),
    ).toMatchObject([{ topic: 'xmpp.edge.gone', replies: 1 }]);
    const text = await metrics.render();
    expect(text).toContain('onlinetime_responder_replies_dropped_total 1');
    expect(text).toContain(
      'onlinetime_responder_iq_total{route="youbao:xmpp:onlinetime query",type="get",outcome="result"} 1',
    );
    expect(text).toContain(
      'onlinetime_responder_iq_total{route="jabber:iq:last query",type="get",outcome="result"} 1',
    );
  });
});
