/**
 * What the hostile-input cases run against: an `onlinetime edge` and an `onlinetime responder` as
 * child processes, a control client that pings through the whole file (it must never miss an answer),
 * the edge's RSS sampled from /proc, and a fresh loopback source address per attacking connection.
 */
import { setTimeout as delay } from 'node:timers/promises';

import { createMysqlStore, type Store } from '@onlinetime/store';

import { mysqlUrl, uniqueId } from '../helpers/infra.js';
import { startService, type ServiceProcess } from '../helpers/processes.js';
import { createUsers, edgeEnv, waitReady } from './support.js';
import { login, Wire } from './wire.js';

export interface ControlStats {
  readonly pings: number;
  readonly maxRttMs: number;
  readonly failures: readonly string[];
}

export interface HostileHarness {
  readonly edge: ServiceProcess;
  readonly responder: ServiceProcess;
  readonly store: Store;
  /** Users `<prefix>0..n-1` (password 'pw'), created before the edge started. */
  readonly users: readonly string[];
  /** A loopback source address not used before in this file. */
  nextAddress(): string;
  /** Edge RSS (KiB) right after the control client logged in. */
  readonly baselineRssKb: number;
  /** Samples and remembers the edge's RSS; returns it (KiB). */
  sampleRss(): number;
  readonly maxRssKb: () => number;
  control(): ControlStats;
  /** Throws when the edge process is gone. */
  assertAlive(): void;
  close(): Promise<void>;
}

export async function startHostileHarness(
  users: number,
  env: Readonly<Record<string, string>> = {},
): Promise<HostileHarness> {
  const store = createMysqlStore({ url: mysqlUrl(), poolSize: 2 });
  const prefix = uniqueId('h');
  const locals = await createUsers(store, `${prefix}u`, users, 'pw');
  const [edge, responder] = await Promise.all([
    startService('edge', { env: edgeEnv(`${prefix}-edge`, { IQ_TIMEOUT_MS: '10000', ...env }) }),
    startService('responder'),
  ]);
  await waitReady([edge, responder]);
  const controlUser = (await createUsers(store, `${prefix}control`, 1, 'pw'))[0] as string;
  const wire = await Wire.connect(edge.xmppPort);
  await login(wire, controlUser, 'pw', 'control');

  let pings = 0;
  let maxRttMs = 0;
  const failures: string[] = [];
  let running = true;
  const pinger = (async () => {
    while (running) {
      const id = `c${pings}`;
      const sent = Date.now();
      wire.send(`<iq type='get' id='${id}' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>`);
      try {
        const reply = await wire.expect(
          new RegExp(`<iq[^>]*id="${id}"[^>]*/>|<iq[^>]*id="${id}"[\\s\\S]*?</iq>`),
          10_000,
        );
        if (!reply.includes('type="result"')) failures.push(reply);
        maxRttMs = Math.max(maxRttMs, Date.now() - sent);
      } catch (err) {
        failures.push((err as Error).message.slice(0, 300));
        if (wire.closed) return;
      }
      pings++;
      await delay(100);
    }
  })();

  let address = 0;
  let maxRss = 0;
  const sampleRss = (): number => {
    const rss = edge.rssKb();
    maxRss = Math.max(maxRss, rss);
    return rss;
  };
  const baselineRssKb = sampleRss();
  return {
    edge,
    responder,
    store,
    users: locals,
    nextAddress() {
      address++;
      return `127.${20 + Math.floor(address / 65_000)}.${Math.floor(address / 250) % 250}.${(address % 250) + 1}`;
    },
    baselineRssKb,
    sampleRss,
    maxRssKb: () => maxRss,
    control: () => ({ pings, maxRttMs, failures }),
    assertAlive() {
      if (edge.child.exitCode !== null || edge.child.signalCode !== null) {
        throw new Error(`the edge died (${edge.child.exitCode ?? edge.child.signalCode}): ${edge.stderr()}`);
      }
    },
    async close() {
      running = false;
      await pinger;
      wire.destroy();
      await Promise.all([edge.stop(), responder.stop()]);
      await store.close();
    },
  };
}
