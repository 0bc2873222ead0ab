import { EventDecodeError } from '@onlinetime/errors';
import { describe, expect, it } from 'vitest';

import { decodeEvent, decodeEventOfTypes, encodeEvent } from './codec.js';
import { createEvent } from './create-event.js';

const started = createEvent(
  'session.started',
  { sessionId: 's1', jid: 'alice@example.com/phone', edgeId: 'e1', bootId: 'b1', ip: '127.0.0.1' },
  { source: 'e1', at: 1_000, id: 'ev1' },
);

function decodeError(value: unknown): EventDecodeError {
  try {
    decodeEvent(typeof value === 'string' ? value : JSON.stringify(value));
  } catch (err) {
    expect(err).toBeInstanceOf(EventDecodeError);
    return err as EventDecodeError;
  }
  throw new Error('expected a decode error');
}

describe('event codec', () => {
  it('round-trips an event unchanged', () => {
    expect(decodeEvent(encodeEvent(started))).toEqual(started);
  });

  it('names the offending field of a malformed payload', () => {
    expect(decodeError({ ...started, payload: { ...started.payload, jid: 'alice@example.com' } }).field).toBe(
      'payload.jid',
    );
    expect(decodeError({ ...started, payload: { ...started.payload, sessionId: 3 } }).field).toBe(
      'payload.sessionId',
    );
    expect(decodeError({ ...started, at: -5 }).field).toBe('at');
    expect(decodeError({ ...started, at: 1.5 }).field).toBe('at');
    expect(decodeError({ ...started, type: 'session.exploded' }).field).toBe('type');
    expect(decodeError({ ...started, version: 2 }).field).toBe('version');
    expect(decodeError({ ...started, payload: null }).field).toBe('payload');
  });

  it('rejects values that are not JSON objects', () => {
    expect(decodeError('{not json').field).toBe('value');
    expect(decodeError('[1,2]').field).toBe('value');
    expect(() => decodeEvent(null)).toThrow(EventDecodeError);
  });

  it('rejects an unknown stop reason', () => {
    const stopped = createEvent(
      'session.stopped',
      { sessionId: 's1', jid: 'alice@example.com/phone', edgeId: 'e1', bootId: 'b1', reason: 'closed' },
      { source: 'e1' },
    );
    expect(decodeError({ ...stopped, payload: { ...stopped.payload, reason: 'bored' } }).field).toBe(
      'payload.reason',
    );
  });

  it('accepts only the types a topic may carry', () => {
    expect(decodeEventOfTypes(encodeEvent(started), ['session.started', 'session.stopped']).type).toBe(
      'session.started',
    );
    expect(() => decodeEventOfTypes(encodeEvent(started), ['iq.request'])).toThrow(/not expected here/);
  });
});
