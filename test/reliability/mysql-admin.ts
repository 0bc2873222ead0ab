/**
 * Fault injection on the MySQL/MariaDB server through its command-line client (the `mysql2` driver
 * is the store package's alone): list the connections of one database and KILL them. The SQL sent
 * holds no input: the process list is read whole and filtered here; KILL takes the integer ids read.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

function clientArgs(url: string): { args: string[]; env: NodeJS.ProcessEnv; database: string } {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  const args = [
    '--batch',
    '--skip-column-names',
    '--force',
    '-h',
    u.hostname,
    '-P',
    u.port || '3306',
    '-u',
    decodeURIComponent(u.username || 'root'),
  ];
  const env = { ...process.env, MYSQL_PWD: decodeURIComponent(u.password) };
  return { args, env, database };
}

async function sql(url: string, statement: string): Promise<string> {
  const { args, env } = clientArgs(url);
  const { stdout } = await run('mysql', [...args, '-e', statement], { env, timeout: 10_000 });
  return stdout;
}

/** Ids of the server's connections whose current database is the one of `url` (this client's excluded). */
export async function connectionsOf(url: string): Promise<number[]> {
  const { database } = clientArgs(url);
  const rows = await sql(
    url,
    'SELECT ID, DB FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID()',
  );
  return rows
    .split('\n')
    .map((line) => line.split('\t'))
    .filter(([id, db]) => id !== undefined && /^\d+$/.test(id) && db === database)
    .map(([id]) => Number(id));
}

/** KILLs every connection of the database of `url`; returns how many were killed. */
export async function killConnectionsOf(url: string): Promise<number> {
  const ids = await connectionsOf(url);
  if (ids.length === 0) return 0;
  // Each id is an integer read above; a connection that ended meanwhile is not an error.
  const statement = ids.map((id) => `KILL CONNECTION ${Math.trunc(id)};`).join(' ');
  await sql(url, statement).catch((err: Error) => {
    if (!/Unknown thread id/i.test(err.message)) throw err;
  });
  return ids.length;
}
