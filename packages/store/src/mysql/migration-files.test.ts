import { describe, expect, it } from 'vitest';

import { readMigrations, splitStatements } from './migration-files.js';

describe('splitStatements', () => {
  it('splits on semicolons at line ends and drops comment lines', () => {
    const text =
      '-- header; with semicolon\nCREATE TABLE a (x INT);\n\n  -- note\nCREATE TABLE b (\n  y INT\n);  \n';
    expect(splitStatements(text)).toEqual(['CREATE TABLE a (x INT)', 'CREATE TABLE b (\n  y INT\n)']);
  });
});

describe('readMigrations', () => {
  it('reads the shipped migrations in version order with stable checksums', async () => {
    const files = await readMigrations();
    expect(files.map((f) => f.file)).toEqual([
      '001_initial.sql',
      '002_open_sessions_by_user.sql',
      '003_offset_writer.sql',
    ]);
    expect(files[0]?.statements).toHaveLength(7);
    expect(files[0]?.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect((await readMigrations())[0]?.checksum).toBe(files[0]?.checksum);
  });
});
