import { encodeEvent, sessionsKey, type SessionsEvent } from '@onlinetime/events';
import { createSessionsWorker } from '@onlinetime/sessions';
import { createMysqlStore, type Store } from '@onlinetime/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { balance, started, stopped } from '../services/sessions/src/testing/events.js';
import { jsonOf, runCli } from './cli-helpers.js';
import { mysqlUrl, uniqueId } from './helpers/infra.js';
import { expectedStates, kafkaBus, quietLogger, waitForTotals } from './sessions-helpers.js';

const MIN = 60_000;

interface Shown {
  readonly jid: string;
  readonly account: boolean;
  readonly at: number;
  readonly minutes: number;
  readonly totalMs: number;
  readonly online: boolean;
  readonly onlineSince: number | null;
  readonly currentStretchMs: number | null;
  readonly balanceMs: number | null;
  readonly lastLogin: number | null;
  readonly lastLogout: number | null;
  readonly sessions: Array<{ sessionId: string; startedAt: number | null; stoppedAt: number }>;
}

let store: Store;
const id = uniqueId('ot');
const offline = `${id}off@example.com`;
const online = `${id}on@example.com`;
const t0 = Date.now() - 10 * 24 * 3600_000;
let onlineSince = 0;

beforeAll(async () => {
  store = createMysqlStore({ url: mysqlUrl(), poolSize: 2 });
  const topic = uniqueId('sessions.');
  onlineSince = Date.now() - 3 * MIN;
  const events: SessionsEvent[] = [
    balance(offline, 90 * MIN),
    started({ sessionId: `${id}a`, jid: `${offline}/phone` }, t0),
    started({ sessionId: `${id}b`, jid: `${offline}/desk` }, t0 + 5 * MIN),
    stopped({ sessionId: `${id}a`, jid: `${offline}/phone` }, t0 + 20 * MIN + 30_000),
    stopped({ sessionId: `${id}b`, jid: `${offline}/desk` }, t0 + 10 * MIN),
    started({ sessionId: `${id}c`, jid: `${online}/r` }, onlineSince),
  ];
  const bus = kafkaBus(uniqueId('ot-worker'));
  await bus.ensureTopics([{ topic, partitions: 2, retentionMs: -1 }]);
  await bus.publish(
    topic,
    events.map((e) => ({ key: sessionsKey(e.payload.jid), value: encodeEvent(e) })),
  );
  const worker = createSessionsWorker({
    bus,
    store: store.accounting,
    logger: quietLogger(),
    groupId: uniqueId('ot-group'),
    topic,
  });
  await worker.start();
  try {
    await waitForTotals(store, expectedStates(events));
  } finally {
    await worker.stop();
    await bus.stop();
  }
});

afterAll(async () => {
  await store.close();
});

describe('onlinetime online-time show', () => {
  it('when a user went offline, then minutes, total, balance and last login/logout are those stored', async () => {
    const result = await runCli(['online-time', 'show', offline.toUpperCase(), '--json', '--sessions', '5']);
    expect(result.code).toBe(0);
    const shown = jsonOf<Shown>(result);
    // Union of [t0, t0+20.5min] and [t0+5, t0+10]: 20.5 minutes, plus the 90-minute balance.
    const totalMs = 90 * MIN + 20 * MIN + 30_000;
    expect(shown).toMatchObject({
      jid: offline,
      account: false,
      minutes: 110,
      totalMs,
      online: false,
      onlineSince: null,
      currentStretchMs: null,
      balanceMs: 90 * MIN,
      lastLogin: t0 + 5 * MIN,
      lastLogout: t0 + 20 * MIN + 30_000,
    });
    expect(shown.sessions.map((s) => s.sessionId)).toEqual([`${id}a`, `${id}b`]);

    const text = await runCli(['online-time', 'show', offline]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('minutes:         110\n');
    expect(text.stdout).toContain('current stretch: offline\n');
    expect(text.stdout).toContain(`last logout:     ${new Date(t0 + 20 * MIN + 30_000).toISOString()}\n`);
  });

  it('when a user is online, then the current stretch counts in the minutes', async () => {
    const shown = jsonOf<Shown>(await runCli(['online-time', 'show', online, '--json']));
    expect(shown.online).toBe(true);
    expect(shown.onlineSince).toBe(onlineSince);
    expect(shown.totalMs).toBe(0);
    expect(shown.currentStretchMs).toBe(shown.at - onlineSince);
    expect(shown.minutes).toBe(Math.floor((shown.at - onlineSince) / MIN));
    expect(shown.minutes).toBeGreaterThanOrEqual(3);
  });

  it('when the user is unknown or the JID malformed, then exit 1 or 2', async () => {
    const unknown = await runCli(['online-time', 'show', `${id}nobody@example.com`]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown user');
    const bad = await runCli(['online-time', 'show', 'not a jid']);
    expect(bad.code).toBe(2);
    const noAction = await runCli(['online-time', offline]);
    expect(noAction.code).toBe(2);
  });
});
