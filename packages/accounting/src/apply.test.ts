import { createEvent, type SessionsEvent, type SessionStopReason } from '@onlinetime/events';
import { describe, expect, it } from 'vitest';

import { applySessionsEvent } from './apply.js';
import { minutesOnline, onlineMs } from './minutes.js';
import { createReplayAccumulator } from './replay.js';
import { emptyUserState, type UserState } from './types.js';

const USER = 'alice@example.com';

function start(sessionId: string, at: number, resource = sessionId, edge = 'e1', boot = 'b1'): SessionsEvent {
  return createEvent(
    'session.started',
    { sessionId, jid: `${USER}/${resource}`, edgeId: edge, bootId: boot, ip: '10.0.0.1' },
    { source: edge, at },
  );
}

function stop(
  sessionId: string,
  at: number,
  reason: SessionStopReason = 'closed',
  resource = sessionId,
): SessionsEvent {
  return createEvent(
    'session.stopped',
    { sessionId, jid: `${USER}/${resource}`, edgeId: 'e1', bootId: 'b1', reason },
    { source: 'e1', at },
  );
}

function balance(ms: number, at = 0): SessionsEvent {
  return createEvent('balance.opened', { jid: USER, ms, origin: 'import' }, { source: 'import', at });
}

/** Applies events the way the worker does: `seen` is every id finished so far. */
function run(events: SessionsEvent[]): { state: UserState; finished: Set<string>; changed: boolean[] } {
  const state = emptyUserState(USER);
  const finished = new Set<string>();
  const changed = events.map((event) => {
    const outcome = applySessionsEvent(state, event, (id) => finished.has(id));
    if (outcome.finished !== undefined) finished.add(outcome.finished.sessionId);
    return outcome.changed;
  });
  return { state, finished, changed };
}

describe('applySessionsEvent', () => {
  it('counts a single session to the millisecond', () => {
    const { state } = run([start('s1', 1_000), stop('s1', 61_999)]);
    expect(state).toMatchObject({
      totalMs: 60_999,
      onlineSince: null,
      lastLogin: 1_000,
      lastLogout: 61_999,
      open: [],
    });
  });

  it('counts two overlapping resources once (the union)', () => {
    const { state } = run([start('a', 0), start('b', 30_000), stop('a', 60_000), stop('b', 90_000)]);
    expect(state.totalMs).toBe(90_000);
    const nested = run([start('a', 0), start('b', 10_000), stop('b', 20_000), stop('a', 100_000)]);
    expect(nested.state.totalMs).toBe(100_000);
  });

  it('adds back-to-back sessions and leaves the gap out', () => {
    const { state } = run([
      start('a', 0),
      stop('a', 10_000),
      start('b', 10_000),
      stop('b', 25_000),
      start('c', 40_000),
      stop('c', 41_000),
    ]);
    expect(state.totalMs).toBe(26_000);
    expect(state.lastLogin).toBe(40_000);
    expect(state.lastLogout).toBe(41_000);
  });

  it('ignores duplicate starts and stops', () => {
    const { state, changed } = run([start('a', 0), start('a', 5_000), stop('a', 10_000), stop('a', 20_000)]);
    expect(state.totalMs).toBe(10_000);
    expect(changed).toEqual([true, false, true, false]);
  });

  it('tombstones a stop of an unknown session so its late start is ignored', () => {
    const { state, finished, changed } = run([stop('x', 5_000), start('x', 1_000), stop('x', 9_000)]);
    expect(changed).toEqual([true, false, false]);
    expect(finished.has('x')).toBe(true);
    expect(state).toMatchObject({
      totalMs: 0,
      onlineSince: null,
      lastLogin: null,
      lastLogout: null,
      open: [],
    });
  });

  it('ignores a late duplicate start after the stop', () => {
    const { state, changed } = run([start('a', 0), stop('a', 10_000), start('a', 0)]);
    expect(changed).toEqual([true, true, false]);
    expect(state).toMatchObject({ totalMs: 10_000, onlineSince: null, open: [] });
  });

  it('applies an opening balance once', () => {
    const { state, changed } = run([balance(120_000), start('a', 0), stop('a', 1_000), balance(999_999)]);
    expect(changed).toEqual([true, true, true, false]);
    expect(state.totalMs).toBe(121_000);
    expect(state.balanceMs).toBe(120_000);
  });

  it('clamps a stop stamped before its start to zero length', () => {
    const { state } = run([start('a', 50_000), stop('a', 40_000, 'edge-lost')]);
    expect(state.totalMs).toBe(0);
    expect(state.lastLogout).toBe(50_000);
    expect(state.onlineSince).toBeNull();
  });

  it('ends a stretch at its latest stop even when an earlier-stamped reaper stop arrives last', () => {
    // b (dead edge, last heartbeat 100 s) is reaped after a (alive) closed normally at 110 s.
    const { state } = run([
      start('a', 0),
      start('b', 50_000),
      stop('a', 110_000),
      stop('b', 100_000, 'edge-lost'),
    ]);
    expect(state.totalMs).toBe(110_000);
    expect(state.lastLogout).toBe(110_000);
  });

  it('never counts time twice when a start is delivered after a later stop', () => {
    // a: [0, 100 s]; b started at 80 s on another edge but its start arrived after a's stop.
    const { state } = run([start('a', 0), stop('a', 100_000), start('b', 80_000), stop('b', 150_000)]);
    expect(state.totalMs).toBe(150_000);
  });

  it('keeps the other open sessions in start order when one in the middle or at an end stops', () => {
    const starts = ['a', 'b', 'c', 'd'].map((id, i) => start(id, 1_000 + i));
    const ids = (events: SessionsEvent[]): string[] => run(events).state.open.map((s) => s.sessionId);
    expect(ids([...starts, stop('b', 2_000)])).toEqual(['a', 'c', 'd']);
    expect(ids([...starts, stop('a', 2_000), stop('d', 2_001)])).toEqual(['b', 'c']);
    expect(ids([...starts, stop('c', 2_000), stop('a', 2_001), stop('d', 2_002)])).toEqual(['b']);
    expect(ids([...starts, stop('b', 2_000), start('e', 2_001), stop('a', 2_002)])).toEqual(['c', 'd', 'e']);
  });

  it('keeps the current stretch open and reports minutes at now', () => {
    const { state } = run([balance(59_000), start('a', 1_000), start('b', 2_000), stop('b', 3_000)]);
    expect(state.onlineSince).toBe(1_000);
    expect(state.open.map((s) => s.sessionId)).toEqual(['a']);
    expect(onlineMs(state, 1_000)).toBe(59_000);
    expect(minutesOnline(state, 1_999)).toBe(0);
    expect(minutesOnline(state, 2_000)).toBe(1);
    expect(minutesOnline(state, 61_999)).toBe(1);
    expect(minutesOnline(state, 62_000)).toBe(2);
    // A clock behind the stretch start never subtracts.
    expect(onlineMs(state, 0)).toBe(59_000);
  });

  it('records the open session with its bare JID, resource, edge and ip', () => {
    const { state } = run([start('a', 7, 'phone', 'edge-9', 'boot-3')]);
    expect(state.open).toEqual([
      {
        sessionId: 'a',
        jid: USER,
        resource: 'phone',
        edgeId: 'edge-9',
        bootId: 'boot-3',
        ip: '10.0.0.1',
        startedAt: 7,
      },
    ]);
  });
});

describe('createReplayAccumulator', () => {
  it('computes per-user totals equal to applying the events one by one', () => {
    const events = [
      start('a', 0),
      start('b', 5_000),
      stop('a', 8_000),
      stop('b', 12_000),
      stop('z', 1),
      start('z', 0),
    ];
    const acc = createReplayAccumulator();
    for (const event of events) acc.apply(event);
    expect(acc.users.get(USER)).toEqual(run(events).state);
    expect([...acc.finished]).toEqual(['a', 'b', 'z']);
  });
});
