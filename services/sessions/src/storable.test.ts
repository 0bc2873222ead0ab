import { describe, expect, it } from 'vitest';

import { MAX_BALANCE_MS, MAX_EVENT_AT, storableProblem } from './storable.js';
import { balance, started, stopped } from './testing/events.js';

const ok = { sessionId: 's', jid: 'ann@example.com/r' };

describe('storableProblem', () => {
  it('accepts what the store can hold', () => {
    expect(storableProblem(started(ok, 1))).toBeNull();
    expect(storableProblem(stopped(ok, 1))).toBeNull();
    expect(storableProblem(balance('ann@example.com', MAX_BALANCE_MS))).toBeNull();
  });

  it('names the field the store would refuse', () => {
    const cases: Array<[ReturnType<typeof started>, string]> = [
      [started({ ...ok, sessionId: 'x'.repeat(256) }, 1), 'payload.sessionId'],
      [started({ ...ok, sessionId: 'trailing ' }, 1), 'payload.sessionId'],
      [started({ ...ok, sessionId: 'tab\there' }, 1), 'payload.sessionId'],
      [started({ ...ok, edgeId: '\ud800' }, 1), 'payload.edgeId'],
      [stopped({ ...ok, bootId: 'b'.repeat(300) }, 1), 'payload.bootId'],
      [started({ ...ok, jid: `${'u'.repeat(250)}@example.com/r` }, 1), 'payload.jid'],
      [started({ ...ok, jid: `ann@example.com/${'r'.repeat(1024)}` }, 1), 'payload.jid'],
      [started(ok, MAX_EVENT_AT + 1), 'at'],
      [balance('ann@example.com', MAX_BALANCE_MS + 1), 'payload.ms'],
    ];
    for (const [event, field] of cases) expect(storableProblem(event)?.field).toBe(field);
  });
});
