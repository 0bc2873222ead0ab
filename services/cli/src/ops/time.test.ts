import { describe, expect, it } from 'vitest';

import { humanMs, isoOrDash, parseTimeArg } from './time.js';

describe('parseTimeArg', () => {
  it('takes epoch milliseconds, ISO dates and date-times (UTC without a zone), earliest for --from', () => {
    expect(parseTimeArg('from', '1700000000000')).toBe(1_700_000_000_000);
    expect(parseTimeArg('to', '2024-05-01')).toBe(Date.UTC(2024, 4, 1));
    expect(parseTimeArg('to', '2024-05-01T12:00:00Z')).toBe(Date.UTC(2024, 4, 1, 12));
    expect(parseTimeArg('to', '2024-05-01T12:00')).toBe(Date.UTC(2024, 4, 1, 12));
    expect(parseTimeArg('to', '2024-05-01T12:00:00+02:00')).toBe(Date.UTC(2024, 4, 1, 10));
    expect(parseTimeArg('from', 'earliest')).toBeNull();
  });

  it('rejects anything else with a usage error naming the option', () => {
    expect(() => parseTimeArg('to', 'earliest')).toThrow('--to "earliest"');
    expect(() => parseTimeArg('from', 'yesterday')).toThrow('--from');
    expect(() => parseTimeArg('from', '2024-13-45')).toThrow('--from');
  });
});

describe('formatting', () => {
  it('prints durations and instants for humans', () => {
    expect(humanMs(0)).toBe('00:00:00.000');
    expect(humanMs(90 * 60_000 + 1)).toBe('01:30:00.001');
    expect(humanMs(3 * 86_400_000 + 5_000)).toBe('3d 00:00:05.000');
    expect(isoOrDash(null)).toBe('-');
    expect(isoOrDash(0)).toBe('1970-01-01T00:00:00.000Z');
  });
});
