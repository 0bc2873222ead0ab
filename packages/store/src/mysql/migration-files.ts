/** Versioned migration files: migrations/NNN_name.sql, shipped beside src/ and dist/. */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { OnlinetimeError } from '@onlinetime/errors';

/** packages/store/migrations, from src/mysql/ (sources) and dist/mysql/ (build) alike. */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

const FILE_NAME = /^([0-9]{3})_([a-z0-9_]+)\.sql$/;

export interface MigrationFile {
  readonly version: number;
  /** The file name, e.g. 001_initial.sql. */
  readonly file: string;
  /** sha256 (hex) of the text with line endings normalised to \n. */
  readonly checksum: string;
  readonly statements: readonly string[];
}

function fileError(file: string, problem: string): OnlinetimeError {
  return new OnlinetimeError('MIGRATION_INVALID', `migration ${file}: ${problem}`, { context: { file } });
}

/**
 * Statements end with `;` at the end of a line; lines starting with `--` are comments. Keep semicolons
 * out of string literals and comments at line ends (the files hold DDL only).
 */
export function splitStatements(text: string): string[] {
  const withoutComments = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n');
  return withoutComments
    .split(/;[ \t]*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export async function readMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
  const files: MigrationFile[] = [];
  for (const file of names) {
    const match = FILE_NAME.exec(file);
    if (!match) throw fileError(file, 'name must match NNN_name.sql (lower-case name)');
    const version = Number(match[1]);
    if (files.some((f) => f.version === version)) throw fileError(file, `version ${version} is used twice`);
    const text = (await readFile(join(dir, file), 'utf8')).replace(/\r\n/g, '\n');
    const statements = splitStatements(text);
    if (statements.length === 0) throw fileError(file, 'contains no statement');
    const checksum = createHash('sha256').update(text).digest('hex');
    files.push({ version, file, checksum, statements });
  }
  return files;
}
