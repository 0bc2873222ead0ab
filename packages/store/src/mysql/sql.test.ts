import { describe, expect, it } from 'vitest';

import { MAX_IN, MAX_ROWS, inChunks, rowChunks, rowPlaceholders } from './sql.js';

describe('rowChunks', () => {
  it('splits rows into power-of-two chunks in order, at most MAX_ROWS each', () => {
    const rows = Array.from({ length: 1_300 }, (_, i) => i);
    const chunks = rowChunks(rows);
    expect(chunks.map((c) => c.length)).toEqual([512, 512, 256, 16, 4]);
    expect(chunks.flat()).toEqual(rows);
    expect(rowChunks([])).toEqual([]);
    expect(Math.max(...rowChunks(rows).map((c) => c.length))).toBeLessThanOrEqual(MAX_ROWS);
  });
});

describe('inChunks', () => {
  it('pads each list to a power of two with its last value', () => {
    expect(inChunks(['a', 'b', 'c'])).toEqual([['a', 'b', 'c', 'c']]);
    expect(inChunks(['a'])).toEqual([['a']]);
    expect(inChunks([])).toEqual([]);
    const many = Array.from({ length: MAX_IN + 3 }, (_, i) => `v${i}`);
    expect(inChunks(many).map((c) => c.length)).toEqual([MAX_IN, 4]);
    expect(new Set(inChunks(many).flat())).toEqual(new Set(many));
  });
});

describe('rowPlaceholders', () => {
  it('builds placeholder groups only', () => {
    expect(rowPlaceholders(2, 3)).toBe('(?, ?, ?), (?, ?, ?)');
  });
});
