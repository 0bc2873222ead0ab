/**
 * Issue 8: an edge SIGKILLed with many sessions open. On a broker and database of its own (the audit
 * compares the whole log with the whole database): an `onlinetime edge` with N sessions bound, an
 * `onlinetime sessions` (worker + reaper). After the SIGKILL the reaper closes every session of that
 * boot at the boot's last heartbeat (reason edge-lost), and `onlinetime audit` finds no difference.
 */
import { waitFor } from '@onlinetime/bus/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { jsonOf, runCli } from '../cli-helpers.js';
import { uniqueId } from '../helpers/infra.js';
import { startService, stopAllServices } from '../helpers/processes.js';
import { RawXmppClient } from '../helpers/xmpp-raw.js';
import { startIsolatedInfra, type IsolatedInfra } from './isolated.js';
import { budget, size } from './soak.js';
import { createUsers, edgeEnv, waitReady } from './support.js';

const USERS = size(50, 250);
const RESOURCES = size(3, 4);
const SESSIONS = USERS * RESOURCES;
const HEARTBEAT_TIMEOUT_MS = 3_000;

let infra: IsolatedInfra;
const sockets: RawXmppClient[] = [];

beforeAll(async () => {
  infra = await startIsolatedInfra('edgekill');
}, 180_000);

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await stopAllServices();
});

afterAll(async () => {
  await infra?.close();
});

describe('an edge SIGKILLed with many sessions open', () => {
  it(
    `closes all ${SESSIONS} sessions at the last heartbeat, and the audit finds no difference`,
    async () => {
      const p = uniqueId('ek');
      const edgeId = `${p}-edge`;
      const locals = await createUsers(infra.store, `${p}u`, USERS, 'pw');
      const env = {
        ...infra.env,
        HEARTBEAT_TIMEOUT_MS: String(HEARTBEAT_TIMEOUT_MS),
        REAPER_SWEEP_INTERVAL_MS: '500',
      };
      const [worker, edge] = await Promise.all([
        startService('sessions', { env }),
        startService('edge', { env: { ...infra.env, ...edgeEnv(edgeId, { HEARTBEAT_INTERVAL_MS: '500' }) } }),
      ]);
      await waitReady([worker, edge]);
      const bootId = String(
        (await edge.waitForLine('edge started', (l) => typeof l.bootId === 'string')).bootId,
      );

      const logins = locals.flatMap((local) =>
        Array.from({ length: RESOURCES }, (_, r) => ({ local, resource: `r${r}` })),
      );
      const loginStarted = Date.now();
      for (let i = 0; i < logins.length; i += 25) {
        await Promise.all(
          logins.slice(i, i + 25).map(async ({ local, resource }) => {
            const client = await RawXmppClient.connect(edge.xmppPort);
            sockets.push(client);
            await client.login(local, 'pw', resource);
          }),
        );
      }
      const loginMs = Date.now() - loginStarted;
      const open = () => infra.store.accounting.openSessionsOfBoot(edgeId, bootId).then((s) => s.length);
      await waitFor(`${SESSIONS} sessions open in MySQL`, async () => (await open()) === SESSIONS, {
        timeoutMs: 60_000,
      });
      // A heartbeat after the last login, so every session has one to be closed at.
      const loggedInBy = Date.now();
      const heartbeat = async (): Promise<number> =>
        (await infra.store.edges.all()).find((b) => b.edgeId === edgeId && b.bootId === bootId)
          ?.lastHeartbeat ?? 0;
      await waitFor('a heartbeat after the logins', async () => (await heartbeat()) > loggedInBy, {
        timeoutMs: 30_000,
      });

      await edge.kill();
      const killedAt = Date.now();
      await waitFor('every session of the dead boot closed', async () => (await open()) === 0, {
        timeoutMs: 60_000,
      });
      const reapedMs = Date.now() - killedAt;

      const boot = (await infra.store.edges.all()).find((b) => b.edgeId === edgeId && b.bootId === bootId);
      expect(boot?.stoppedAt ?? null).toBeNull();
      const lastHeartbeat = boot?.lastHeartbeat as number;
      expect(killedAt - lastHeartbeat).toBeLessThan(HEARTBEAT_TIMEOUT_MS);
      const logged = (
        await Promise.all(locals.map((l) => infra.store.accounting.sessionLog(`${l}@localhost`, 100)))
      ).flat();
      expect(logged).toHaveLength(SESSIONS);
      // Closed at the last heartbeat (a session begun after it would be closed at its start).
      expect(new Set(logged.map((s) => `${s.reason} ${s.stoppedAt}`))).toEqual(
        new Set(logged.map((s) => `edge-lost ${Math.max(lastHeartbeat, s.startedAt ?? 0)}`)),
      );
      expect(logged.filter((s) => s.stoppedAt === lastHeartbeat)).toHaveLength(SESSIONS);
      const totals = await infra.store.onlineTime.getMany(locals.map((l) => `${l}@localhost`));
      expect([...totals.values()].filter((t) => t.onlineSince === null && t.totalMs > 0)).toHaveLength(USERS);

      const audit = await runCli(['audit', '--json'], { env: infra.env, timeoutMs: 120_000 });
      const report = jsonOf<{ status: string; usersChecked: number; usersDiffering: number; events: number }>(
        audit,
      );
      expect(audit.code, audit.stderr).toBe(0);
      expect(report).toMatchObject({ status: 'ok', usersDiffering: 0 });
      expect(report.usersChecked).toBeGreaterThanOrEqual(USERS);
      expect(await worker.stop()).toBe(0);
      console.log(
        JSON.stringify({
          case: 'edge-sigkill',
          sessions: SESSIONS,
          users: USERS,
          loginMs,
          reapedMs,
          auditEvents: report.events,
          auditUsers: report.usersChecked,
        }),
      );
    },
    budget(180_000, 900_000),
  );
});
