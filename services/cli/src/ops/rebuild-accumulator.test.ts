import { createReplayAccumulator } from '@onlinetime/accounting';
import { createEvent, type SessionsEvent } from '@onlinetime/events';
import { describe, expect, it } from 'vitest';

import { createRebuildAccumulator } from './rebuild-accumulator.js';

const base = (id: string, jid: string) => ({ sessionId: id, jid, edgeId: 'e', bootId: 'b' });
const start = (id: string, jid: string, at: number): SessionsEvent =>
  createEvent('session.started', base(id, jid), { source: 'e', at });
const stop = (id: string, jid: string, at: number): SessionsEvent =>
  createEvent('session.stopped', { ...base(id, jid), reason: 'closed' }, { source: 'e', at });

const stream: SessionsEvent[] = [
  start('s1', 'a@x/1', 1000),
  start('s2', 'a@x/2', 1500),
  stop('s1', 'a@x/1', 2000),
  start('s1', 'a@x/1', 2100), // late duplicate start: ignored
  stop('s2', 'a@x/2', 3000),
  stop('ghost', 'b@x/1', 500), // tombstone only: no online_time row
  start('ghost', 'b@x/1', 600), // ignored: tombstoned
  createEvent('balance.opened', { jid: 'c@x', ms: 60_000, origin: 't' }, { source: 't', at: 0 }),
  start('s3', 'd@x/1', 5000), // left open
];

describe('createRebuildAccumulator', () => {
  it('computes exactly what the replay accumulator computes, and the rows the worker would write', () => {
    const rebuild = createRebuildAccumulator();
    const replay = createReplayAccumulator();
    for (const e of stream) {
      rebuild.apply(e);
      replay.apply(e);
    }
    const users = [...rebuild.changedUsers()];
    expect(users.map((u) => u.jid).sort()).toEqual(['a@x', 'c@x', 'd@x']);
    for (const u of users) expect(u).toEqual(replay.users.get(u.jid));
    expect(users.find((u) => u.jid === 'a@x')?.totalMs).toBe(2000);
    const finished = rebuild.takeFinished();
    expect(finished.map((f) => f.sessionId)).toEqual(['s1', 's2', 'ghost']);
    expect(finished.find((f) => f.sessionId === 'ghost')?.startedAt).toBeNull();
    expect(rebuild.takeFinished()).toEqual([]);
    expect(rebuild.finishedCount).toBe(replay.finished.size);
  });
});
