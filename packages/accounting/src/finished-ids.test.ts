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

describe('createFinishedIds, its table', () => {
  it('keeps every id through many growths, once each, and lets no similar id pass', () => {
    const finished = createFinishedIds();
    const expected = new Set<string>();
    // Similar ids (one character apart), long ids, the empty id, lone surrogates, repeats.
    const idOf = (i: number): string =>
      i % 97 === 0 ? `long-${'x'.repeat(i % 3_000)}-${i}` : i % 89 === 0 ? `\ud800${i}\udfff` : `id-${i}`;
    for (let i = 0; i < 100_000; i++) {
      const id = i % 5 === 4 ? idOf(i - 3) : idOf(i);
      finished.add(id);
      expected.add(id);
      if (i === 1000) {
        finished.add('');
        expected.add('');
      }
      if (i % 25_000 === 0) expect(finished.size).toBe(expected.size);
    }
    expect(finished.size).toBe(expected.size);
    const wrong: string[] = [];
    for (let i = 0; i < 110_000; i++) {
      if (finished.has(idOf(i)) !== expected.has(idOf(i))) wrong.push(idOf(i));
      if (finished.has(`${idOf(i)}!`)) wrong.push(`${idOf(i)}!`);
    }
    expect(wrong).toEqual([]);
    expect(finished.has('')).toBe(true);
    expect([...finished.ids]).toEqual([...expected]);
    // A copy made before more adds is not changed by them; the next one has them.
    const before = finished.ids;
    finished.add('late');
    expect(before.has('late')).toBe(false);
    expect([...finished.ids].at(-1)).toBe('late');
  });
});
