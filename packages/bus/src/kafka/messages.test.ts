import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';

import { nextOffset, toBusMessage } from './messages.js';

const fetched = (key: Buffer | null): KafkaMessage => ({
  key,
  value: Buffer.from('{"v":1}'),
  offset: '9007199254740993',
  timestamp: '1700000000123',
  attributes: 0,
  headers: {},
});

describe('toBusMessage', () => {
  it('reads the fields of the fetched message, the key as UTF-8 text', () => {
    const m = toBusMessage('xmpp.sessions', 3, fetched(Buffer.from('ü@example.org')));
    expect(m.topic).toBe('xmpp.sessions');
    expect(m.partition).toBe(3);
    expect(m.offset).toBe('9007199254740993');
    expect(m.key).toBe('ü@example.org');
    expect(m.key).toBe('ü@example.org');
    expect(m.value?.toString()).toBe('{"v":1}');
    expect(m.timestamp).toBe(1_700_000_000_123);
  });

  it('gives a null key as null', () => {
    expect(toBusMessage('t', 0, fetched(null)).key).toBeNull();
  });

  it('serialises (logs, JSON) as the plain decoded fields', () => {
    const m = toBusMessage('t', 1, fetched(Buffer.from('k')));
    expect(JSON.parse(JSON.stringify(m))).toEqual({
      topic: 't',
      partition: 1,
      offset: '9007199254740993',
      key: 'k',
      value: { type: 'Buffer', data: [...Buffer.from('{"v":1}')] },
      timestamp: 1_700_000_000_123,
    });
  });
});

describe('nextOffset', () => {
  it('adds one beyond 2^53', () => {
    expect(nextOffset('9007199254740993')).toBe('9007199254740994');
  });
});
