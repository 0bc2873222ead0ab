import { EventDecodeError } from '@onlinetime/errors';
import { describe, expect, it } from 'vitest';

import { parseCanonicalSessionEvent } from './canonical-json.js';
import { decodeEvent, encodeEvent } from './codec.js';
import { createEvent } from './create-event.js';
import { SESSION_STOP_REASONS } from './schemas.js';

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

/** Every string value of a parsed JSON value. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.values(value).flatMap(stringsOf);
}

/**
 * The contract: null, or exactly what JSON.parse gives (same keys, same order), valid by the general
 * path (decodeEvent of the text, which never takes the scan) and holding printable ASCII only.
 */
function expectSameAsJsonParse(bytes: Buffer): object | null {
  const fast = parseCanonicalSessionEvent(bytes);
  if (fast === null) return null;
  const text = bytes.toString('utf8');
  const parsed: unknown = JSON.parse(text);
  expect(fast).toStrictEqual(parsed);
  expect(JSON.stringify(fast)).toBe(JSON.stringify(parsed));
  expect(decodeEvent(text)).toStrictEqual(fast);
  for (const s of stringsOf(fast)) expect(s).toMatch(/^[\x20-\x7e]*$/);
  return fast;
}

/** decodeEvent's outcome, an event or the error's field and message, for comparing two paths. */
function outcome(value: Buffer | string): unknown {
  try {
    return decodeEvent(value);
  } catch (err) {
    expect(err).toBeInstanceOf(EventDecodeError);
    return { field: (err as EventDecodeError).field, message: (err as EventDecodeError).message };
  }
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
          // Bytes and text (the general path) decode alike, valid or not, with the same error.
          expect(outcome(bytes)).toStrictEqual(outcome(bytes.toString('utf8')));
          if (fast !== null) accepted += 1;
        }
      }
    }
    // Changes inside string values stay on the fast path: the test does exercise it.
    expect(accepted).toBeGreaterThan(1000);
  });

  it('declines canonical text of invalid events (the general path names the problem)', () => {
    const stop = CANONICAL[2]!.toString('utf8');
    const start = CANONICAL[0]!.toString('utf8');
    const invalid = [
      stop.replace('"id":"ev3"', '"id":""'),
      stop.replace('"source":"e1"', '"source":""'),
      stop.replace('"version":1', '"version":2'),
      stop.replace('"version":1', '"version":0'),
      stop.replace('"sessionId":"s-1"', '"sessionId":""'),
      stop.replace('"edgeId":"e1"', '"edgeId":""'),
      stop.replace('"bootId":"b1"', '"bootId":""'),
      stop.replace('"reason":"closed"', '"reason":"bored"'),
      stop.replace('"reason":"closed"', '"reason":"close"'),
      stop.replace(',"reason":"closed"', ''),
      stop.replace(',"reason":"closed"', ',"ip":"10.0.0.1"'),
      start.replace('"ip":"10.0.0.1"', '"ip":""'),
      ...['alice@example.com', '@example.com/r', 'alice@/r', 'alice@example.com/', 'a/b@c', 'a'].map((jid) =>
        stop.replace('alice@example.com/phone', jid),
      ),
    ];
    for (const text of invalid) {
      expect(parseCanonicalSessionEvent(Buffer.from(text))).toBeNull();
      expect(() => decodeEvent(Buffer.from(text))).toThrow(EventDecodeError);
    }
    // A start carrying a reason is valid (extra payload fields are ignored): the general path takes it.
    const startWithReason = start.replace('"ip":"10.0.0.1"', '"reason":"closed"');
    expect(parseCanonicalSessionEvent(Buffer.from(startWithReason))).toBeNull();
    expect(decodeEvent(Buffer.from(startWithReason))).toStrictEqual(JSON.parse(startWithReason));
  });

  it('reads every stop reason, each as the schema constant', () => {
    for (const reason of SESSION_STOP_REASONS) {
      const event = createEvent('session.stopped', { ...base, reason }, { source: 'e1', at: 5 });
      expect(expectSameAsJsonParse(encodeEvent(event))).toStrictEqual(event);
    }
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
