import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import { EVENT_CATALOGUE, renderEventCatalogue } from './catalogue.js';
import { decodeEvent, encodeEvent } from './codec.js';
import { createEvent } from './create-event.js';
import type { EventType } from './schemas.js';

describe('event catalogue', () => {
  it('documents fields that are exactly those of each schema', () => {
    for (const [type, entry] of Object.entries(EVENT_CATALOGUE)) {
      const event = createEvent(type as EventType, entry.example as never, { source: 'test', at: 1 });
      expect(decodeEvent(encodeEvent(event)).payload).toEqual(entry.example);
      const documented = Object.keys(entry.fields)
        .map((f) => f.replace(/\?$/, ''))
        .sort();
      expect(documented, type).toEqual(Object.keys(entry.example).sort());
      // Each required field is really required by the decoder.
      for (const field of Object.keys(entry.fields).filter((f) => !f.endsWith('?'))) {
        const payload: Record<string, unknown> = { ...entry.example };
        delete payload[field];
        expect(() => decodeEvent(JSON.stringify({ ...event, payload })), `${type}.${field}`).toThrow(
          `payload.${field}`,
        );
      }
    }
  });

  it('is what docs/events.md says', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../../docs/events.md'), 'utf8');
    expect(doc).toBe(renderEventCatalogue());
  });
});
