import { EventDecodeError } from '@onlinetime/errors';
import { describe, expect, it } from 'vitest';

import { parseCanonicalSessionEvent } from './canonical-json.js';
import { decodeEvent, encodeEvent } from './codec.js';
import { createEvent } from './create-event.js';

const base = { sessionId: 's-1', jid: 'alice@example.com/phone', edgeId: 'e1', bootId: 'b1' };
const started = createEvent(
  'session.started',
  { ...base, ip: '10.0.0.1' },
  { source: 'e1', at: 1_700_000_000_000, id: 'ev1' },
);
const startedNoIp = createEvent('session.started', base, { source: 'e1', at: 0, id: 'ev2' });
const stopped = createEvent(
  'session.stopped',
  { ...base, reason: 'closed' },
  { source: 'e1', at: 1_700_000_030_000, id: 'ev3' },
);
const CANONICAL = [started, startedNoIp, stopped].map((e) => encodeEvent(e));

/** The contract: null, or exactly what JSON.parse gives (same keys, same order). */
function expectSameAsJsonParse(bytes: Buffer): object | null {
  const fast = parseCanonicalSessionEvent(bytes);
  if (fast === null) return null;
  const parsed: unknown = JSON.parse(bytes.toString('utf8'));
  expect(fast).toStrictEqual(parsed);
  expect(JSON.stringify(fast)).toBe(JSON.stringify(parsed));
  return fast;
}

describe('parseCanonicalSessionEvent', () => {
  it('reads what encodeEvent writes for starts (with and without ip) and stops', () => {
    for (const bytes of CANONICAL) expect(expectSameAsJsonParse(bytes)).not.toBeNull();
  });

  it('gives the right value when repeated fields change from one event to the next', () => {
    const reasons = ['closed', 'timeout', 'closed', 'edge-lost', 'edge-lost', 'error'];
    for (const reason of reasons) {
      const event = createEvent(
        'session.stopped',
        { ...base, edgeId: `edge-${reason}`, bootId: reason.slice(0, 3), reason: reason as 'closed' },
        { source: reason, at: reason.length },
      );
      expect(parseCanonicalSessionEvent(encodeEvent(event))).toStrictEqual(event);
    }
  });

  it('declines other shapes: other types, other key orders, whitespace, extra fields', () => {
    const others = [
      createEvent('balance.opened', { jid: 'a@b', ms: 5, origin: 'import' }, { source: 's' }),
      createEvent('edge.heartbeat', { edgeId: 'e', bootId: 'b', sessions: 1 }, { source: 's' }),
    ].map((e) => encodeEvent(e));
    const text = CANONICAL[0]!.toString('utf8');
    const variants = [
      JSON.stringify({
        ...started,
        payload: { jid: base.jid, sessionId: 's-1', edgeId: 'e1', bootId: 'b1' },
      }),
      JSON.stringify(started, null, 1),
      JSON.stringify({ ...started, extra: 1 }),
      JSON.stringify({ ...started, payload: { ...started.payload, extra: 'x' } }),
      `${text} `,
      `\uFEFF${text}`,
      text.replace('"version":1', '"version":01'),
      text.replace('"version":1', '"version":1.0'),
      text.replace('"version":1', '"version":-1'),
      text.replace('"at":1700000000000', '"at":1e3'),
      text.replace('"at":1700000000000', '"at":1234567890123456'),
      text.replace('"jid":"alice', '"jid":"\\u0061lice'),
      text.replace('"jid":"alice', '"jid":"álice'),
      text.replace('"edgeId":"e1"', '"edgeId":"e\\"1"'),
    ].map((t) => Buffer.from(t, 'utf8'));
    for (const bytes of [...others, ...variants]) expect(parseCanonicalSessionEvent(bytes)).toBeNull();
  });

  it('never reads a changed byte differently from JSON.parse', () => {
    // Every position of every canonical event, replaced by bytes that matter to JSON.
    const replacements = [
      0x00, 0x09, 0x20, 0x22, 0x2c, 0x2d, 0x2e, 0x30, 0x31, 0x3a, 0x5c, 0x65, 0x7b,
    ].concat([0x7d, 0x7f, 0x80, 0xc3, 0xff]);
    let accepted = 0;
    for (const original of CANONICAL) {
      for (let i = 0; i < original.length; i++) {
        for (const b of replacements) {
          const bytes = Buffer.from(original);
          bytes[i] = b;
          let parsedOk = true;
          try {
            JSON.parse(bytes.toString('utf8'));
          } catch {
            parsedOk = false;
          }
          const fast = parsedOk ? expectSameAsJsonParse(bytes) : parseCanonicalSessionEvent(bytes);
          if (!parsedOk) expect(fast).toBeNull();
          if (fast !== null) accepted += 1;
        }
      }
    }
    // Changes inside string values stay on the fast path: the test does exercise it.
    expect(accepted).toBeGreaterThan(1000);
  });

  it('declines every truncation and every extension', () => {
    for (const original of CANONICAL) {
      for (let n = 0; n < original.length; n++)
        expect(parseCanonicalSessionEvent(original.subarray(0, n))).toBeNull();
      expect(parseCanonicalSessionEvent(Buffer.concat([original, Buffer.from('}')]))).toBeNull();
    }
  });
});

describe('decodeEvent on the fast path', () => {
  function fieldOf(text: string): string {
    try {
      decodeEvent(Buffer.from(text, 'utf8'));
    } catch (err) {
      expect(err).toBeInstanceOf(EventDecodeError);
      return (err as EventDecodeError).field;
    }
    throw new Error('expected a decode error');
  }

  it('still validates what it reads, with the same typed errors', () => {
    const text = CANONICAL[2]!.toString('utf8');
    expect(fieldOf(text.replace('"sessionId":"s-1"', '"sessionId":""'))).toBe('payload.sessionId');
    expect(fieldOf(text.replace('alice@example.com/phone', 'alice@example.com'))).toBe('payload.jid');
    expect(fieldOf(text.replace('"reason":"closed"', '"reason":"bored"'))).toBe('payload.reason');
    expect(fieldOf(text.replace('"version":1', '"version":2'))).toBe('version');
    expect(fieldOf(text.replace('"type":"session.stopped"', '"type":"session.exploded"'))).toBe('type');
    expect(fieldOf(text.replace(',"reason":"closed"', ''))).toBe('payload.reason');
    expect(fieldOf(text.slice(0, -1))).toBe('value');
  });

  it('decodes Buffers and strings alike', () => {
    for (const bytes of CANONICAL)
      expect(decodeEvent(bytes)).toStrictEqual(decodeEvent(bytes.toString('utf8')));
  });
});
