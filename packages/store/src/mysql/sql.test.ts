import { describe, expect, it } from 'vitest';

import {
  MAX_IN,
  MAX_ROWS,
  inChunks,
  insertRows,
  rowChunks,
  rowPlaceholders,
  type Db,
  type Param,
} from './sql.js';

/** A Db that records each statement's text and parameters. */
function recordingDb(): { db: Db; calls: Array<{ sql: string; params: readonly Param[] }> } {
  const calls: Array<{ sql: string; params: readonly Param[] }> = [];
  const db: Db = {
    select: () => Promise.resolve([]),
    modify: (_operation, sql, params) => {
      calls.push({ sql, params });
      return Promise.resolve({} as Awaited<ReturnType<Db['modify']>>);
    },
  };
  return { db, calls };
}

describe('insertRows', () => {
  it('sends the values of every row in order, one statement per power-of-two chunk', async () => {
    const { db, calls } = recordingDb();
    const rows = Array.from({ length: 5 }, (_, i) => ({ id: `u${i}`, n: i }));
    await insertRows(
      db,
      'test.insert',
      (list) => `INSERT INTO t (id, n) VALUES ${list}`,
      2,
      rows,
      (r) => [r.id, r.n],
    );
    expect(calls.map((c) => c.sql)).toEqual([
      'INSERT INTO t (id, n) VALUES (?, ?), (?, ?), (?, ?), (?, ?)',
      'INSERT INTO t (id, n) VALUES (?, ?)',
    ]);
    expect(calls.flatMap((c) => c.params)).toEqual(['u0', 0, 'u1', 1, 'u2', 2, 'u3', 3, 'u4', 4]);
  });

  it('when a row has the wrong number of values, then nothing is sent and the error names the operation', async () => {
    const { db, calls } = recordingDb();
    await expect(
      insertRows(
        db,
        'test.insert',
        (list) => `INSERT INTO t (a, b) VALUES ${list}`,
        2,
        [1],
        () => [1],
      ),
    ).rejects.toThrow(/test.insert: a row has 1 values, not 2/);
    expect(calls).toEqual([]);
  });
});

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
