/** Shared by the test/cli-*.int.test.ts files: the compiled CLI as a subprocess, scratch databases. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { createDatabaseIfMissing, dropDatabase, migrate } from '@onlinetime/store';

import { kafkaBrokers, mysqlUrl, uniqueId } from './helpers/infra.js';

const BIN = fileURLToPath(new URL('../services/cli/bin/onlinetime.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Replaces variables of the environment; undefined removes one. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Written to stdin, which is then closed (stdin is never a terminal here). */
  readonly input?: string;
  readonly timeoutMs?: number;
}

/** Runs `onlinetime <args>` (services/cli/bin, the compiled dist) with this run's Kafka and MySQL. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const env: Record<string, string> = {};
  const merged = {
    ...process.env,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    MYSQL_URL: mysqlUrl(),
    LOG_LEVEL: 'error',
    ...options.env,
  };
  for (const [name, value] of Object.entries(merged)) if (value !== undefined) env[name] = value;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `onlinetime ${args.join(' ')} did not finish in ${options.timeoutMs ?? 60_000} ms; stderr: ${stderr}`,
        ),
      );
    }, options.timeoutMs ?? 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Parses stdout of a `--json` run, with the whole output in the error when it is not JSON. */
export function jsonOf<T>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}): ${result.stdout}\nstderr: ${result.stderr}`);
  }
}

export interface ScratchDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** A fresh database on this run's server (migrated unless `bare`), for tests that compare whole tables. */
export async function scratchDatabase(prefix: string, { bare = false } = {}): Promise<ScratchDatabase> {
  const url = new URL(mysqlUrl());
  url.pathname = `/${uniqueId(`ot_${prefix}_`)}`;
  const text = url.toString();
  await createDatabaseIfMissing(text);
  if (!bare) await migrate({ url: text });
  return { url: text, drop: () => dropDatabase(text) };
}
