import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { KAFKA_VERSION, startKafkaBroker, type KafkaBroker } from '@onlinetime/kafka-harness';
import { deriveScramKeys } from '@onlinetime/scram';
import { createDatabaseIfMissing, createMysqlStore, dropDatabase } from '@onlinetime/store';

import { freePort, portOpen, run, spawnLogged, waitUntil, type Child } from './process-utils.js';
import type { ServerUnderTest } from './server.js';

/** Our services, in start order (the edge last: it needs the others' topics). */
const SERVICES = ['sessions', 'responder', 'edge'] as const;

function mariadbPid(): number {
  for (const name of ['mariadbd', 'mysqld']) {
    try {
      const pid = Number(execFileSync('pgrep', ['-o', '-x', name]).toString().trim());
      if (pid > 0) return pid;
    } catch {
      // not running under this name
    }
  }
  return 0;
}

export interface OnlinetimeOptions {
  readonly root: string;
  readonly port: number;
  /** Use this broker instead of starting one (KAFKA_BROKERS). */
  readonly kafkaBrokers?: string | undefined;
  /** Server URL without database, e.g. mysql://root@127.0.0.1:3306 (a fresh database is made on it). */
  readonly mysqlServer: string;
  /** Accounts made through `onlinetime user add` (the rest directly through the store: one process per user is slow). */
  readonly cliUsers: number;
  /** Extra environment for every service of ours (setup included), e.g. IQ_PARTITIONS=1 for experiments. */
  readonly extraEnv?: Readonly<Record<string, string>>;
}

/**
 * Our full stack: a Kafka broker and a fresh MariaDB/MySQL database for the whole comparison, and
 * the edge, sessions worker and responder as child processes of the compiled CLI, restarted per run.
 */
export function createOnlinetime(options: OnlinetimeOptions): ServerUnderTest & { mysqlUrl(): string } {
  const cli = join(options.root, 'services', 'cli', 'bin', 'onlinetime.js');
  const mysqlUrl = `${options.mysqlServer.replace(/\/$/, '')}/onlinetime_bench_${randomBytes(4).toString('hex')}`;
  let kafka: KafkaBroker | undefined;
  let brokers = options.kafkaBrokers ?? '';
  let dir = '';
  let children: Child[] = [];
  let edge: Child | undefined;

  const env = async (): Promise<NodeJS.ProcessEnv> => ({
    ...process.env,
    KAFKA_BROKERS: brokers,
    MYSQL_URL: mysqlUrl,
    EDGE_ID: 'bench-edge',
    XMPP_HOST: '127.0.0.1',
    XMPP_PORT: String(options.port),
    XMPP_DOMAINS: 'localhost',
    // Relaxation, as for the incumbents: plain TCP on loopback (STARTTLS offered, not required).
    XMPP_ALLOW_PLAINTEXT: 'true',
    METRICS_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    MAX_CONNECTIONS: '20000',
    ...options.extraEnv,
  });

  return {
    name: 'onlinetime',
    port: options.port,
    domain: 'localhost',
    mysqlUrl: () => mysqlUrl,
    async prepare() {
      dir = mkdtempSync(join(tmpdir(), 'onlinetime-bench-stack-'));
      if (brokers === '') {
        kafka = await startKafkaBroker({ cacheDir: join(options.root, '.cache'), startTimeoutMs: 90_000 });
        brokers = kafka.brokers;
      }
      // As an operator would: an empty database, then `onlinetime setup` (migrations, then topics).
      await createDatabaseIfMissing(mysqlUrl);
      await run(process.execPath, [cli, 'setup'], { env: await env(), cwd: options.root });
    },
    async start() {
      // BENCH_CPU_PROF=<dir>: each service writes a V8 CPU profile there when it exits (not allowed in NODE_OPTIONS).
      const profDir = process.env['BENCH_CPU_PROF'];
      const profile = profDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profDir}`];
      if (await portOpen(options.port)) throw new Error(`port ${options.port} is already in use`);
      const spawnService = async (name: string): Promise<Child> =>
        // The same Node flags as the Dockerfile's entry point.
        spawnLogged(process.execPath, ['--max-semi-space-size=32', ...profile, cli, name], {
          env: await env(),
          cwd: options.root,
          logFile: join(dir, `${name}.log`),
        });
      children = [await spawnService(SERVICES[0]), await spawnService(SERVICES[1])];
      edge = await spawnService(SERVICES[2]);
      children.push(edge);
      const failed = Promise.race(
        children.map((c, i) =>
          c.exited.then((code) => {
            throw new Error(`${SERVICES[i]} exited with ${code}: see ${dir}`);
          }),
        ),
      );
      await Promise.race([
        waitUntil(() => portOpen(options.port), 60_000, `the edge on port ${options.port}`),
        failed,
      ]);
    },
    async createAccounts(prefix, users, password) {
      // The first few through the CLI, as an operator would (password on stdin) ...
      const viaCli = Math.min(options.cliUsers, users);
      for (let i = 1; i <= viaCli; i += 1) {
        await runWithStdin(
          process.execPath,
          [cli, 'user', 'add', `${prefix}${i}@localhost`],
          `${password}\n`,
          await env(),
        ).catch((err: Error) => {
          if (!/exist/i.test(err.message)) throw err;
        });
      }
      // ... and the bulk straight into the store with the same key derivation.
      const store = createMysqlStore({ url: mysqlUrl, poolSize: 4 });
      try {
        const existing = new Set(await store.users.list('localhost'));
        for (let i = viaCli + 1; i <= users; i += 1) {
          const jid = `${prefix}${i}@localhost`;
          if (existing.has(jid)) continue;
          await store.users.add({
            jid,
            scram: {
              'SCRAM-SHA-1': deriveScramKeys('SCRAM-SHA-1', password),
              'SCRAM-SHA-256': deriveScramKeys('SCRAM-SHA-256', password),
            },
          });
        }
      } finally {
        await store.close();
      }
      return { registerInBand: false };
    },
    pid: () => edge?.process.pid ?? 0,
    processes: () => [
      ...children.map((c, i) => ({ name: SERVICES[i] ?? 'service', pid: c.process.pid ?? 0 })),
      { name: 'kafka', pid: kafka?.pid ?? 0 },
      // The machine's MariaDB: shared, so its figure includes anything else it did meanwhile.
      { name: 'mariadb', pid: mariadbPid() },
    ],
    async stop() {
      // The edge first (it publishes session.stopped for its sessions), then the workers.
      await edge?.stop();
      await Promise.all(children.map((c) => c.stop()));
      children = [];
      edge = undefined;
    },
    async cleanup() {
      await dropDatabase(mysqlUrl).catch(() => undefined);
      await kafka?.stop();
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    },
    async version() {
      const maria = (await run('mariadb', ['--version']).catch(() => ({ stdout: 'unknown' }))).stdout.trim();
      return `onlinetime (this repo), Node ${process.version}, Kafka ${kafka === undefined ? `at ${brokers}` : KAFKA_VERSION}, ${maria}`;
    },
  };
}

async function runWithStdin(
  command: string,
  args: string[],
  input: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const { spawn } = await import('node:child_process');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${args.join(' ')} exited ${code}: ${output.trim()}`)),
    );
    child.stdin.end(input);
  });
}
