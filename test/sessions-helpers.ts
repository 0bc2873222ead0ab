/** Shared by the sessions/reaper integration tests: event streams, expected totals, store probes. */
import { createReplayAccumulator, type UserState } from '@onlinetime/accounting';
import { createKafkaBus, type KafkaBus, type KafkaBusOptions } from '@onlinetime/bus';
import { waitFor } from '@onlinetime/bus/testing';
import { encodeEvent, sessionsKey, TOPICS, type SessionsEvent } from '@onlinetime/events';
import { createLogger } from '@onlinetime/logging';
import type { Store, UserTotals } from '@onlinetime/store';

import { balance, started, stopped, type SessionRef } from '../services/sessions/src/testing/events.js';
import { kafkaBrokers } from './helpers/infra.js';

export const T0 = 1_700_000_000_000;
export const quietLogger = () => createLogger({ name: 'test', level: 'error' });

export function kafkaBus(clientId: string, consumer: KafkaBusOptions['consumer'] = {}): KafkaBus {
  return createKafkaBus({
    brokers: kafkaBrokers(),
    clientId,
    logger: quietLogger(),
    kafkaLogLevel: 'error',
    consumer: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, ...consumer },
  });
}

/** Publishes in order (one call per chunk), keyed by bare JID as the edge does. */
export async function publishSessions(
  bus: KafkaBus,
  events: readonly SessionsEvent[],
  chunk = 2_000,
): Promise<void> {
  for (let i = 0; i < events.length; i += chunk) {
    const records = events
      .slice(i, i + chunk)
      .map((e) => ({ key: sessionsKey(e.payload.jid), value: encodeEvent(e) }));
    await bus.publish(TOPICS.sessions, records);
  }
}

export function expectedStates(events: readonly SessionsEvent[]): Map<string, UserState> {
  const acc = createReplayAccumulator();
  for (const e of events) acc.apply(e);
  return new Map(acc.users);
}

const EMPTY = { totalMs: 0, onlineSince: null, lastLogin: null, lastLogout: null, balanceMs: null };
type Totals = Omit<UserTotals, 'jid'>;

function totalsOf(state: UserState | UserTotals | undefined): Totals {
  if (state === undefined) return EMPTY;
  const { totalMs, onlineSince, lastLogin, lastLogout, balanceMs } = state;
  return { totalMs, onlineSince, lastLogin, lastLogout, balanceMs };
}

/** Users whose stored totals differ from the expected ones (empty when all match). */
export async function totalsMismatches(
  store: Store,
  expected: ReadonlyMap<string, UserState>,
): Promise<string[]> {
  const jids = [...expected.keys()];
  const stored = await store.onlineTime.getMany(jids);
  const wrong: string[] = [];
  for (const jid of jids) {
    const want = totalsOf(expected.get(jid));
    const got = totalsOf(stored.get(jid));
    if (JSON.stringify(want) !== JSON.stringify(got))
      wrong.push(`${jid}: want ${JSON.stringify(want)} got ${JSON.stringify(got)}`);
  }
  return wrong;
}

/** Waits (bounded) until every expected user's stored totals are exactly the expected ones. */
export async function waitForTotals(
  store: Store,
  expected: ReadonlyMap<string, UserState>,
  timeoutMs = 45_000,
): Promise<void> {
  let last: string[] = [];
  try {
    await waitFor(
      `exact totals of ${expected.size} users`,
      async () => (last = await totalsMismatches(store, expected)).length === 0,
      { timeoutMs, intervalMs: 200 },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; ${last.length} differ, e.g. ${last.slice(0, 3).join(' | ')}`);
  }
}

/** Deterministic PRNG (mulberry32): a failing seed can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface StreamOptions {
  readonly prefix: string;
  readonly users: number;
  readonly sessionsPerUser: number;
  readonly seed: number;
  readonly edgeId: string;
  readonly bootId: string;
}

/**
 * A messy but realistic stream: overlapping resources, back-to-back sessions, duplicate starts and
 * stops, stops of unknown sessions, late starts after stops, stops stamped before their start,
 * opening balances (one repeated), and sessions left open. Per-user order is kept; users interleave.
 */
export function generateStream(o: StreamOptions): SessionsEvent[] {
  const rnd = prng(o.seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const perUser: SessionsEvent[][] = [];
  for (let u = 0; u < o.users; u++) {
    const bare = `${o.prefix}u${u}@example.com`;
    const list: SessionsEvent[] = [];
    if (rnd() < 0.2) list.push(balance(bare, int(10_000_000)));
    let t = T0 + int(1_000_000);
    for (let k = 0; k < o.sessionsPerUser; k++) {
      const ref: SessionRef = {
        sessionId: `${o.prefix}s${u}.${k}`,
        jid: `${bare}/r${int(3)}`,
        edgeId: o.edgeId,
        bootId: o.bootId,
      };
      const start = started(ref, t);
      list.push(start);
      if (rnd() < 0.05) list.push(start);
      const duration = 1 + int(120_000);
      const roll = rnd();
      if (roll < 0.05) {
        list.push(stopped(ref, t - 1 - int(5_000)));
      } else if (roll < 0.1) {
        // left open
      } else {
        const stop = stopped(ref, t + duration);
        list.push(stop);
        if (rnd() < 0.05) list.push(stop);
        if (rnd() < 0.03) list.push(started(ref, t + duration + 1));
      }
      if (rnd() < 0.03) list.push(stopped({ ...ref, sessionId: `${ref.sessionId}.ghost` }, t + 5));
      if (rnd() < 0.01) list.push(balance(bare, 1));
      // Overlap (next starts before this one stops), back-to-back, or a gap.
      const step = rnd();
      t += step < 0.3 ? int(duration) : step < 0.5 ? duration : duration + int(600_000);
    }
    perUser.push(list);
  }
  const out: SessionsEvent[] = [];
  const cursors = perUser.map(() => 0);
  let remaining = perUser.reduce((n, l) => n + l.length, 0);
  while (remaining > 0) {
    const u = int(perUser.length);
    const list = perUser[u] as SessionsEvent[];
    const i = cursors[u] as number;
    if (i >= list.length) continue;
    out.push(list[i] as SessionsEvent);
    cursors[u] = i + 1;
    remaining -= 1;
  }
  return out;
}
