/**
 * Issue 8: the Kafka broker stopped and restarted while clients stay connected. On a broker and
 * database of its own: an edge with a tiny event buffer, a sessions service and a responder. While
 * the broker is down, connected clients stay connected, clients that log out have their
 * session.stopped buffered, new logins are accepted until the buffer is full and then refused
 * (temporary-auth-failure, /readyz 503), and IQs get wait-type errors. After the restart nothing is
 * lost: every stop and start of the gap reaches MySQL with its own time, the services recovered
 * without a restart, and the audit finds no difference.
 */
import { setTimeout as delay } from 'node:timers/promises';

import { waitFor } from '@onlinetime/bus/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { jsonOf, runCli } from '../cli-helpers.js';
import { uniqueId } from '../helpers/infra.js';
import {
  metricValue,
  scrape,
  startService,
  stopAllServices,
  type ServiceProcess,
} from '../helpers/processes.js';
import { RawXmppClient } from '../helpers/xmpp-raw.js';
import { startIsolatedInfra, type IsolatedInfra } from './isolated.js';
import { budget, size } from './soak.js';
import { createUsers, edgeEnv, problemsOf, recentOf, waitReady } from './support.js';

const OUTAGE_MS = size(10_000, 20_000);
const HEARTBEAT_TIMEOUT_MS = size(5_000, 15_000);
const STAYERS = 10;
const LEAVERS = 5;
const BUFFER = 16;
const IQ_TIMEOUT_MS = 3_000;

let infra: IsolatedInfra;
const sockets: RawXmppClient[] = [];

beforeAll(async () => {
  infra = await startIsolatedInfra('outage');
}, 180_000);

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await stopAllServices();
});

afterAll(async () => {
  await infra?.close();
});

async function login(
  port: number,
  local: string,
  resource = 'r',
): Promise<{ client: RawXmppClient; refused?: string }> {
  const client = await RawXmppClient.connect(port);
  sockets.push(client);
  try {
    await client.login(local, 'pw', resource);
    return { client };
  } catch (err) {
    const condition = /<failure[^>]*><([\w-]+)/.exec(client.received)?.[1];
    if (condition === undefined) throw err;
    return { client, refused: condition };
  }
}

async function ask(client: RawXmppClient, id: string, timeoutMs: number): Promise<string> {
  client.send(`<iq type='get' id='${id}'><query xmlns='youbao:xmpp:onlinetime'/></iq>`);
  return client.expect(new RegExp(`<iq[^>]*id="${id}"[\\s\\S]*?</iq>`), timeoutMs);
}

describe('Kafka broker stopped and restarted under connected clients', () => {
  it(
    `loses no session event across a ${OUTAGE_MS / 1000} s outage; refuses logins when the buffer is full; IQs get wait errors`,
    async () => {
      const p = uniqueId('ko');
      const locals = await createUsers(infra.store, `${p}u`, STAYERS + LEAVERS + 20, 'pw');
      const [stayers, leavers, newcomers] = [
        locals.slice(0, STAYERS),
        locals.slice(STAYERS, STAYERS + LEAVERS),
        locals.slice(STAYERS + LEAVERS),
      ];
      const services: ServiceProcess[] = await Promise.all([
        // The reaper's heartbeat timeout is shorter than the outage, as the default 15 s is against
        // a 20 s outage (the soak runs exactly that).
        startService('sessions', {
          env: { ...infra.env, HEARTBEAT_TIMEOUT_MS: String(HEARTBEAT_TIMEOUT_MS) },
        }),
        startService('responder', { env: infra.env }),
        startService('edge', {
          env: {
            ...infra.env,
            ...edgeEnv(`${p}-edge`, {
              EVENT_BUFFER_CAPACITY: String(BUFFER),
              IQ_TIMEOUT_MS: String(IQ_TIMEOUT_MS),
            }),
          },
        }),
      ]);
      const edge = services[2] as ServiceProcess;
      await waitReady(services);
      const connected = new Map<string, RawXmppClient>();
      for (const local of [...stayers, ...leavers])
        connected.set(local, (await login(edge.xmppPort, local)).client);
      const jid = (l: string): string => `${l}@localhost`;
      const online = async (names: readonly string[]): Promise<number> =>
        [...(await infra.store.onlineTime.getMany(names.map(jid))).values()].filter(
          (t) => t.onlineSince !== null,
        ).length;
      await waitFor(
        'every session open in MySQL',
        async () => (await online([...stayers, ...leavers])) === STAYERS + LEAVERS,
        { timeoutMs: 30_000 },
      );
      expect(await ask(connected.get(stayers[0] as string) as RawXmppClient, 'before', 20_000)).toMatch(
        /type="result"[\s\S]*<onlinetime>0<\/onlinetime>/,
      );

      // --- the outage ---
      const outageStart = Date.now();
      await infra.broker.stopBroker();
      const stopMs = Date.now() - outageStart;
      const gapIqs = await Promise.all(
        stayers.map((l, i) => ask(connected.get(l) as RawXmppClient, `gap${i}`, IQ_TIMEOUT_MS + 10_000)),
      );
      for (const local of leavers) {
        const client = connected.get(local) as RawXmppClient;
        client.send('</stream:stream>');
        await client.expectClose(10_000);
      }
      const leftBy = Date.now();
      const accepted: string[] = [];
      let refused: { local: string; condition: string } | undefined;
      for (const local of newcomers) {
        const attempt = await login(edge.xmppPort, local);
        if (attempt.refused === undefined) {
          accepted.push(local);
          continue;
        }
        refused = { local, condition: attempt.refused };
        break;
      }
      const readyDuringOutage = (await scrape(edge.metricsPort, '/readyz')).status;
      const depthDuringOutage = metricValue(
        (await scrape(edge.metricsPort)).body,
        'onlinetime_edge_event_buffer_depth',
      );
      await delay(Math.max(0, OUTAGE_MS - (Date.now() - outageStart)));
      const restartAt = Date.now();
      await infra.broker.restart();
      const outageMs = Date.now() - outageStart;
      const restartMs = Date.now() - restartAt;
      const figures = {
        case: 'broker-outage',
        outageMs,
        stopMs,
        restartMs,
        buffer: BUFFER,
        acceptedDuringOutage: accepted.length,
        refused,
        readyDuringOutage,
        depthDuringOutage,
      };
      console.log(JSON.stringify(figures));

      // --- recovery ---
      await waitFor(
        'the edge buffer drained',
        async () =>
          metricValue((await scrape(edge.metricsPort)).body, 'onlinetime_edge_event_buffer_depth') === 0,
        { timeoutMs: 60_000 },
      );
      await waitReady(services, 60_000);
      await waitFor(
        'the gap applied in MySQL',
        async () =>
          (await online(leavers)) === 0 &&
          (await online([...stayers, ...accepted])) === STAYERS + accepted.length,
        { timeoutMs: 60_000 },
      ).catch(async (err: Error) => {
        const stayerStops = (
          await Promise.all(stayers.map((l) => infra.store.accounting.sessionLog(jid(l), 10)))
        ).flat();
        const reaped = services[0]?.lines().filter((l) => l.msg === 'edge boot lost: closing its sessions');
        const state = {
          leaversOnline: await online(leavers),
          stayersOnline: await online(stayers),
          accepted: accepted.length,
          acceptedOnline: await online(accepted),
          stayerStops: stayerStops.map((x) => `${x.reason}@${x.stoppedAt - outageStart}`),
          reaped,
          outageStart,
          outageMs,
        };
        const diagnosis = state.stayerStops.some((x) => x.startsWith('edge-lost'))
          ? 'the reaper closed (edge-lost) the sessions of clients that stayed connected, at the last heartbeat before the outage: '
          : '';
        const sessions = services[0] === undefined ? '' : `\n${recentOf(services[0])}`;
        throw new Error(
          `${diagnosis}${err.message}: ${JSON.stringify(state)}\n${problemsOf(services)}${sessions}`,
        );
      });

      // IQs of the gap: each got one wait-type error.
      for (const reply of gapIqs) expect(reply).toMatch(/type="error"[\s\S]*<error type="wait">/);
      // Logins were refused once the buffer was full, and the edge said it was not ready.
      expect(refused?.condition).toBe('temporary-auth-failure');
      expect(readyDuringOutage).toBe(503);
      expect(depthDuringOutage).toBeGreaterThanOrEqual(BUFFER);
      // The stops of the gap carry their own time (not the recovery's).
      const stops = (
        await Promise.all(leavers.map((l) => infra.store.accounting.sessionLog(jid(l), 10)))
      ).flat();
      expect(stops.map((s) => s.reason)).toEqual(leavers.map(() => 'closed'));
      for (const s of stops) {
        expect(s.stoppedAt).toBeGreaterThanOrEqual(outageStart);
        expect(s.stoppedAt).toBeLessThanOrEqual(leftBy);
      }
      // The stayers never lost their connection and are served again.
      for (const local of stayers) expect((connected.get(local) as RawXmppClient).closed).toBe(false);
      const answers: string[] = [];
      await waitFor(
        'an IQ answered after the outage',
        async () => {
          answers.push(
            await ask(
              connected.get(stayers[0] as string) as RawXmppClient,
              `after${Date.now()}`,
              IQ_TIMEOUT_MS + 5_000,
            ),
          );
          return /type="result"/.test(answers.at(-1) as string);
        },
        { timeoutMs: 90_000 },
      ).catch((err: Error) => {
        throw new Error(`${err.message}: ${answers.join('\n')}\n${problemsOf(services, 20)}`);
      });
      expect(
        (await login(edge.xmppPort, (refused as { local: string }).local, 'again')).refused,
      ).toBeUndefined();
      // No service had to be restarted, and the log and the tables agree.
      for (const s of services) expect(s.child.exitCode).toBeNull();
      const audit = await runCli(['audit', '--json'], { env: infra.env, timeoutMs: 120_000 });
      expect(audit.code, audit.stdout + audit.stderr).toBe(0);
      expect(jsonOf<{ usersDiffering: number }>(audit).usersDiffering).toBe(0);
    },
    budget(240_000, 600_000),
  );
});
