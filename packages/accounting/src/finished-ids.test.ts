import { describe, expect, it } from 'vitest';

import { createFinishedIds } from './finished-ids.js';

describe('createFinishedIds', () => {
  it('answers exactly what a Set would, and keeps the ids in the order they were added', () => {
    const finished = createFinishedIds();
    const added: string[] = [];
    for (let i = 0; i < 50_000; i++) {
      const id = `s-${(i * 7919) % 100_003}`;
      finished.add(id);
      added.push(id);
    }
    const expected = new Set(added);
    for (let i = 0; i < 100_003; i++) expect(finished.has(`s-${i}`)).toBe(expected.has(`s-${i}`));
    expect(finished.has('')).toBe(false);
    expect([...finished.ids]).toEqual([...expected]);
  });

  it('tells ids apart that differ only outside the ASCII range', () => {
    const finished = createFinishedIds();
    finished.add('sé');
    expect(finished.has('sé')).toBe(true);
    expect(finished.has('se')).toBe(false);
    expect(finished.has('s\u00e9\u0301')).toBe(false);
  });
});
