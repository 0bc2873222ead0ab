/**
 * Issue 7: the cluster of docker-compose without Docker. Two edges, two sessions workers and two
 * responders run as child processes (the compiled CLI) on one Kafka and one MySQL. A real client on
 * each edge: sessions are accounted, IQs are answered across edges (vCard set on one, read on the
 * other; online-time query), stopping one worker (SIGTERM) in the middle of a load loses nothing,
 * and /metrics and /readyz of every service show the expected counters moving.
 */
import { randomInt } from 'node:crypto';

import { waitFor } from '@onlinetime/bus/testing';
import { createMysqlStore, type Store } from '@onlinetime/store';
import { xml, type XmppClient } from '@xmpp/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCli } from './cli-helpers.js';
import { mysqlUrl, uniqueId } from './helpers/infra.js';
import {
  metricValue,
  scrape,
  startService,
  stopAllServices,
  type ServiceProcess,
} from './helpers/processes.js';
import { connectClient } from './helpers/xmpp-client.js';
import { edgeEnv, publishPaced, scrapeAll, waitReady } from './reliability/support.js';
import {
  expectedStates,
  generateStream,
  kafkaBus,
  publishSessions,
  waitForTotals,
} from './sessions-helpers.js';
import { started as startedEvent, stopped as stoppedEvent } from '../services/sessions/src/testing/events.js';

const MINUTE = 60_000;
const id = uniqueId('cl');
const alice = `alice-${id}`;
const bob = `bob-${id}`;

let store: Store;
let edges: ServiceProcess[] = [];
let workers: ServiceProcess[] = [];
let responders: ServiceProcess[] = [];
const clients: XmppClient[] = [];

beforeAll(async () => {
  store = createMysqlStore({ url: mysqlUrl(), poolSize: 2 });
  for (const local of [alice, bob]) {
    const added = await runCli(['user', 'add', `${local}@localhost`], { input: 'secret-pw\n' });
    expect(added.code, added.stderr).toBe(0);
  }
  const start = (command: string, n: number, env: (i: number) => Record<string, string> = () => ({})) =>
    Promise.all(
      Array.from({ length: n }, (_, i) => startService(command, { name: `${command}${i + 1}`, env: env(i) })),
    );
  [workers, responders, edges] = await Promise.all([
    start('sessions', 2),
    start('responder', 2),
    start('edge', 2, (i) => edgeEnv(`${id}-edge${i + 1}`, { IQ_TIMEOUT_MS: '20000' })),
  ]);
  await waitReady([...workers, ...responders, ...edges], 90_000);
}, 180_000);

afterAll(async () => {
  for (const c of clients) await c.stop().catch(() => undefined);
  await stopAllServices();
  await store?.close();
});

async function ask(client: XmppClient, element: ReturnType<typeof xml>): Promise<string> {
  return (await client.iqCaller.request(element, 20_000)).toString();
}

describe('a cluster of child processes: 2 edges, 2 sessions workers, 2 responders', () => {
  it('serves a client on each edge: sessions accounted, IQs answered across edges, metrics moving', async () => {
    const [edgeA, edgeB] = edges as [ServiceProcess, ServiceProcess];
    const before = await scrapeAll([edgeA, edgeB]);

    // An hour ago alice was online for 5 minutes (as an edge would have published it).
    const past = Date.now() - 60 * MINUTE;
    const ref = { sessionId: `${id}-past`, jid: `${alice}@localhost/old`, edgeId: `${id}-old`, bootId: 'b' };
    const bus = kafkaBus(uniqueId('pub'));
    try {
      await publishSessions(bus, [startedEvent(ref, past), stoppedEvent(ref, past + 5 * MINUTE)]);
    } finally {
      await bus.stop();
    }

    const a = (
      await connectClient({ port: edgeA.xmppPort, username: alice, password: 'secret-pw', resource: 'a' })
    ).xmpp;
    clients.push(a);
    const b = (
      await connectClient({ port: edgeB.xmppPort, username: bob, password: 'secret-pw', resource: 'b' })
    ).xmpp;
    clients.push(b);

    // Both sessions reach MySQL through Kafka and the sessions workers.
    await waitFor(
      'alice and bob online in MySQL',
      async () => {
        const t = await store.onlineTime.getMany([`${alice}@localhost`, `${bob}@localhost`]);
        return (
          t.get(`${alice}@localhost`)?.onlineSince != null && t.get(`${bob}@localhost`)?.onlineSince != null
        );
      },
      { timeoutMs: 30_000 },
    );
    expect((await store.onlineTime.getMany([`${alice}@localhost`])).get(`${alice}@localhost`)?.totalMs).toBe(
      5 * MINUTE,
    );

    // vCard set through edge A, read by bob through edge B (responders of either edge answer).
    const set = await ask(
      a,
      xml(
        'iq',
        { type: 'set', id: 'v1' },
        xml('vCard', { xmlns: 'vcard-temp' }, xml('NICKNAME', {}, 'Alice A')),
      ),
    );
    expect(set).toContain('type="result"');
    const vcard = await ask(
      b,
      xml('iq', { type: 'get', id: 'v2', to: `${alice}@localhost` }, xml('vCard', { xmlns: 'vcard-temp' })),
    );
    expect(vcard).toMatch(/<NICKNAME>Alice A<\/NICKNAME><YB_ONLINETIME>(5|6)<\/YB_ONLINETIME>/);
    const minutes = await ask(
      b,
      xml(
        'iq',
        { type: 'get', id: 'q1', to: `${alice}@localhost` },
        xml('query', { xmlns: 'youbao:xmpp:onlinetime' }),
      ),
    );
    expect(minutes).toMatch(/<onlinetime>(5|6)<\/onlinetime>/);

    const after = await scrapeAll([edgeA, edgeB]);
    for (const [i, text] of after.entries()) {
      const was = before[i] as string;
      expect(
        metricValue(text, 'onlinetime_edge_logins_total') - metricValue(was, 'onlinetime_edge_logins_total'),
      ).toBe(1);
      expect(metricValue(text, 'onlinetime_edge_sessions')).toBe(1);
      expect(metricValue(text, 'onlinetime_edge_stanzas_in_total', { kind: 'iq' })).toBeGreaterThan(
        metricValue(was, 'onlinetime_edge_stanzas_in_total', { kind: 'iq' }),
      );
    }
    expect(
      metricValue(after[0] as string, 'onlinetime_edge_iq_round_trip_seconds_count'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      metricValue(after[1] as string, 'onlinetime_edge_iq_round_trip_seconds_count'),
    ).toBeGreaterThanOrEqual(2);
    const answered = (await scrapeAll(responders)).map((t) =>
      metricValue(t, 'onlinetime_responder_iq_total'),
    );
    expect(answered.reduce((x, y) => x + y, 0)).toBeGreaterThanOrEqual(3);
    const consumed = (await scrapeAll(workers)).map((t) =>
      metricValue(t, 'onlinetime_sessions_events_consumed_total'),
    );
    expect(consumed.reduce((x, y) => x + y, 0)).toBeGreaterThanOrEqual(4);
    for (const s of [...edges, ...workers, ...responders]) {
      expect((await scrape(s.metricsPort, '/healthz')).status).toBe(200);
      expect((await scrape(s.metricsPort, '/readyz')).status).toBe(200);
    }
    console.log(JSON.stringify({ cluster: { consumedPerWorker: consumed, answeredPerResponder: answered } }));

    // Logging out closes both sessions in MySQL.
    await a.stop();
    await b.stop();
    await waitFor(
      'alice and bob offline in MySQL',
      async () => {
        const t = await store.onlineTime.getMany([`${alice}@localhost`, `${bob}@localhost`]);
        return [...t.values()].filter((u) => u.onlineSince === null && u.totalMs > 0).length === 2;
      },
      { timeoutMs: 30_000 },
    );
  });

  it('loses nothing when one sessions worker and one responder are stopped (SIGTERM) in the middle of a load', async () => {
    const seed = randomInt(1, 2 ** 31);
    const p = uniqueId('cs');
    const stream = generateStream({
      prefix: p,
      users: 200,
      sessionsPerUser: 8,
      seed,
      edgeId: `${p}e`,
      bootId: 'b',
    });
    const bus = kafkaBus(uniqueId('pub'));
    const [first, second] = workers as [ServiceProcess, ServiceProcess];
    try {
      const consumed = async (): Promise<number> =>
        (await scrapeAll([first, second])).reduce(
          (n, t) => n + metricValue(t, 'onlinetime_sessions_events_consumed_total'),
          0,
        );
      const baseline = await consumed();
      const load = publishPaced(bus, stream, 10, 300);
      await waitFor('a part of the load consumed', async () => (await consumed()) > baseline + 200, {
        timeoutMs: 30_000,
      });
      expect(await first.stop()).toBe(0);
      expect(await (responders[0] as ServiceProcess).stop()).toBe(0);
      await load;
      await waitForTotals(store, expectedStates(stream), 90_000);
    } catch (err) {
      throw new Error(`seed ${seed}: ${(err as Error).message}`);
    } finally {
      await bus.stop();
    }
    // The surviving responder answers IQs from a new client.
    const c = (
      await connectClient({
        port: (edges[0] as ServiceProcess).xmppPort,
        username: bob,
        password: 'secret-pw',
        resource: 'c',
      })
    ).xmpp;
    clients.push(c);
    expect(
      await ask(c, xml('iq', { type: 'get', id: 'q2' }, xml('query', { xmlns: 'youbao:xmpp:onlinetime' }))),
    ).toMatch(/<onlinetime>\d+<\/onlinetime>/);
    const consumed = metricValue(
      (await scrape(second.metricsPort)).body,
      'onlinetime_sessions_events_consumed_total',
    );
    expect(consumed).toBeGreaterThan(0);
    console.log(
      JSON.stringify({ clusterStop: { seed, events: stream.length, consumedBySurvivor: consumed } }),
    );
  }, 180_000);
});
