import { describe, expect, it } from 'vitest';

import { asciiStorableProblem, MAX_BALANCE_MS, MAX_EVENT_AT, storableProblem } from './storable.js';
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

  it('counts characters, not UTF-16 units, outside ASCII, and gives the same reasons on both paths', () => {
    const emoji = '\u{1F600}';
    expect(storableProblem(started({ ...ok, sessionId: emoji.repeat(255) }, 1))).toBeNull();
    expect(storableProblem(started({ ...ok, sessionId: `${emoji.repeat(255)}x` }, 1))).toEqual({
      field: 'payload.sessionId',
      reason: 'longer than 255 characters',
    });
    expect(storableProblem(started({ ...ok, sessionId: 'x'.repeat(256) }, 1))?.reason).toBe(
      'longer than 255 characters',
    );
    expect(storableProblem(started({ ...ok, sessionId: 'é ' }, 1))?.reason).toBe('ends with a space');
    expect(storableProblem(started({ ...ok, sessionId: 'x ' }, 1))?.reason).toBe('ends with a space');
    expect(storableProblem(started({ ...ok, sessionId: 'é\u0007' }, 1))?.reason).toBe(
      'contains a control character',
    );
    expect(storableProblem(started({ ...ok, jid: `ann@example.com/${'é'.repeat(1023)}` }, 1))).toBeNull();
  });
});

describe('asciiStorableProblem', () => {
  it('answers what storableProblem answers for events of printable ASCII', () => {
    // Lengths around every limit, spaces where they matter, slashes in odd places; a fixed seed.
    let seed = 12345;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const text = (length: number): string =>
      Array.from({ length }, () => (random(8) === 0 ? ' ' : String.fromCharCode(0x21 + random(94)))).join('');
    const lengthNear = (limit: number): number => [0, 1, 2, limit - 1, limit, limit + 1][random(6)]!;
    let problems = 0;
    for (let i = 0; i < 4_000; i++) {
      const payload = {
        sessionId: text(lengthNear(255)),
        jid: `${text(lengthNear(255))}${random(4) === 0 ? '' : '/'}${text(lengthNear(1023))}`,
        edgeId: text(lengthNear(255)),
        bootId: text(lengthNear(255)),
      };
      const when = random(3) === 0 ? MAX_EVENT_AT + random(2) : 1;
      const event = random(2) === 0 ? started(payload, when) : stopped(payload, when);
      if (event.type === 'session.started') {
        const ip = random(3);
        if (ip === 0) delete (event.payload as { ip?: string }).ip;
        else (event.payload as { ip?: string }).ip = text(lengthNear(64));
      }
      const expected = storableProblem(event);
      expect(asciiStorableProblem(event)).toStrictEqual(expected);
      if (expected !== null) problems += 1;
    }
    expect(problems).toBeGreaterThan(500);
    expect(asciiStorableProblem(balance('ann@example.com', MAX_BALANCE_MS + 1))).toStrictEqual(
      storableProblem(balance('ann@example.com', MAX_BALANCE_MS + 1)),
    );
  });
});
