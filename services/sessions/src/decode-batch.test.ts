import { EventDecodeError } from '@onlinetime/errors';
import { createEvent, decodeEventOfTypes, encodeEvent, type SessionsEvent } from '@onlinetime/events';
import { describe, expect, it } from 'vitest';

import { decodeBatch, decodeSessionsMessage, Rejection, SESSIONS_EVENT_TYPES } from './decode-batch.js';
import { MAX_EVENT_AT, storableProblem } from './storable.js';

/** The general path, spelled out: decode the text (never the canonical scan), then storability. */
function general(value: Buffer): SessionsEvent | Rejection {
  let event: SessionsEvent;
  try {
    event = decodeEventOfTypes(value.toString('utf8'), SESSIONS_EVENT_TYPES);
  } catch (err) {
    if (!(err instanceof EventDecodeError)) throw err;
    return new Rejection(err.field, err.message);
  }
  const problem = storableProblem(event);
  return problem === null
    ? event
    : new Rejection(problem.field, `invalid event: ${problem.field}: ${problem.reason}`);
}

const base = { sessionId: 's-1', jid: 'ann@example.com/phone', edgeId: 'e1', bootId: 'b1' };
const at = 1_700_000_000_000;
/** Events on both sides of every storability limit, as encodeEvent writes them. */
const EVENTS: SessionsEvent[] = [
  createEvent('session.started', { ...base, ip: '10.0.0.1' }, { source: 'e1', at }),
  createEvent('session.started', base, { source: 'e1', at: 0 }),
  createEvent('session.stopped', { ...base, reason: 'timeout' }, { source: 'e1', at }),
  createEvent('session.started', { ...base, sessionId: 'x'.repeat(255) }, { source: 'e1', at }),
  createEvent('session.started', { ...base, sessionId: 'x'.repeat(256) }, { source: 'e1', at }),
  createEvent('session.started', { ...base, sessionId: 'trailing ' }, { source: 'e1', at }),
  createEvent('session.started', { ...base, sessionId: ' ' }, { source: 'e1', at }),
  createEvent('session.stopped', { ...base, edgeId: 'e'.repeat(256), reason: 'closed' }, { source: 'e', at }),
  createEvent('session.stopped', { ...base, bootId: 'b ', reason: 'closed' }, { source: 'e', at }),
  createEvent('session.started', { ...base, jid: `${'u'.repeat(243)}@example.com/r` }, { source: 'e', at }),
  createEvent('session.started', { ...base, jid: `${'u'.repeat(244)}@example.com/r` }, { source: 'e', at }),
  createEvent('session.started', { ...base, jid: 'ann@example.com /r' }, { source: 'e', at }),
  createEvent('session.started', { ...base, jid: `ann@x/${'r'.repeat(1023)}` }, { source: 'e', at }),
  createEvent('session.started', { ...base, jid: `ann@x/${'r'.repeat(1024)}` }, { source: 'e', at }),
  createEvent('session.started', { ...base, jid: 'ann@x/r/s t ' }, { source: 'e', at }),
  createEvent('session.started', { ...base, ip: '1'.repeat(64) }, { source: 'e', at }),
  createEvent('session.started', { ...base, ip: '1'.repeat(65) }, { source: 'e', at }),
  createEvent('session.started', base, { source: 'e', at: MAX_EVENT_AT }),
  createEvent('session.started', base, { source: 'e', at: MAX_EVENT_AT + 1 }),
  createEvent('session.stopped', { ...base, sessionId: 'é', reason: 'closed' }, { source: 'e', at }),
  createEvent('balance.opened', { jid: 'ann@example.com', ms: 5, origin: 'import' }, { source: 'e', at }),
];

describe('decodeSessionsMessage', () => {
  it('gives what the general path gives, on both sides of every limit', () => {
    let rejected = 0;
    for (const event of EVENTS) {
      const bytes = encodeEvent(event);
      const decoded = decodeSessionsMessage(bytes);
      expect(decoded).toStrictEqual(general(bytes));
      if (decoded instanceof Rejection) rejected += 1;
      else expect(decoded).toStrictEqual(event);
    }
    expect(rejected).toBe(10);
    expect(decodeSessionsMessage(null)).toStrictEqual(
      new Rejection('value', 'invalid event: value: message has no value'),
    );
  });

  it('never decides a changed byte differently from the general path', () => {
    // Every position of some events near the limits, replaced by bytes that matter to JSON, to the
    // validation (empty strings, '@', '/') and to storability (space, control, non-ASCII).
    const replacements = [0x00, 0x09, 0x20, 0x22, 0x2c, 0x2f, 0x30, 0x31, 0x39, 0x40, 0x5c, 0x7d, 0x7f, 0xc3];
    let valid = 0;
    let invalid = 0;
    for (const event of [EVENTS[0]!, EVENTS[1]!, EVENTS[2]!, EVENTS[5]!, EVENTS[11]!, EVENTS[17]!]) {
      const original = encodeEvent(event);
      for (let i = 0; i < original.length; i++) {
        for (const b of replacements) {
          const bytes = Buffer.from(original);
          bytes[i] = b;
          const decoded = decodeSessionsMessage(bytes);
          expect(decoded).toStrictEqual(general(bytes));
          if (decoded instanceof Rejection) invalid += 1;
          else valid += 1;
        }
      }
      // Removing one byte (a string or a number one shorter, or broken JSON).
      for (let i = 0; i < original.length; i++) {
        const bytes = Buffer.concat([original.subarray(0, i), original.subarray(i + 1)]);
        expect(decodeSessionsMessage(bytes)).toStrictEqual(general(bytes));
      }
    }
    expect(valid).toBeGreaterThan(1000);
    expect(invalid).toBeGreaterThan(1000);
  });

  it('is what decodeBatch reports, with the offsets', () => {
    const messages = EVENTS.map((event, i) => ({
      topic: 't',
      partition: 0,
      offset: String(i + 10),
      key: null,
      value: encodeEvent(event),
      timestamp: 0,
    }));
    const batch = decodeBatch(messages);
    expect(batch.valid.length + batch.invalid.length).toBe(EVENTS.length);
    for (const { offset, event } of batch.valid) expect(event).toStrictEqual(EVENTS[Number(offset) - 10]);
    for (const { offset, field, reason } of batch.invalid)
      expect(new Rejection(field, reason)).toStrictEqual(
        decodeSessionsMessage(encodeEvent(EVENTS[Number(offset) - 10]!)),
      );
  });
});
