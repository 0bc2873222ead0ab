import { OnlinetimeError } from '@onlinetime/errors';
import { describe, expect, it } from 'vitest';

import { isFatal, toStoreError } from './errors.js';

function driverError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error('driver says no'), fields);
}

describe('toStoreError', () => {
  it.each([
    [{ code: 'ER_LOCK_DEADLOCK', errno: 1213 }, 'STORE_DEADLOCK'],
    [{ code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205 }, 'STORE_LOCK_WAIT_TIMEOUT'],
    [{ code: 'PROTOCOL_CONNECTION_LOST', fatal: true }, 'STORE_CONNECTION_LOST'],
    [{ code: 'ECONNRESET', fatal: true }, 'STORE_CONNECTION_LOST'],
    [{ code: 'ECONNREFUSED', fatal: true }, 'STORE_UNAVAILABLE'],
    [{ errno: 1927 }, 'STORE_CONNECTION_LOST'],
    [{ code: 'SOMETHING_NEW', fatal: true }, 'STORE_CONNECTION_LOST'],
  ])('marks %o retriable as %s', (fields, code) => {
    const cause = driverError(fields);
    const err = toStoreError(cause, 'users.add');
    expect(err).toMatchObject({ code, retriable: true });
    expect(err.cause).toBe(cause);
    expect(err.message).toContain('users.add');
  });

  it('keeps other errors non-retriable and passes ours through', () => {
    const err = toStoreError(driverError({ code: 'ER_PARSE_ERROR', errno: 1064 }), 'x');
    expect(err).toMatchObject({
      code: 'STORE_QUERY_FAILED',
      retriable: false,
      context: { driverCode: 'ER_PARSE_ERROR' },
    });
    const ours = new OnlinetimeError('USER_EXISTS', 'exists');
    expect(toStoreError(ours, 'x')).toBe(ours);
  });

  it('recognises connections that must not go back to the pool', () => {
    expect(isFatal(toStoreError(driverError({ code: 'ECONNRESET', fatal: true }), 'x'))).toBe(true);
    expect(isFatal(toStoreError(driverError({ code: 'ER_LOCK_DEADLOCK' }), 'x'))).toBe(false);
  });
});
