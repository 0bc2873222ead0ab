#!/usr/bin/env node
/**
 * The side-by-side comparison: ejabberd, Prosody and our full stack, the same scenarios, runs
 * alternating between servers (each started fresh per run), medians with spread and ratios.
 * Usually started through bench/compare.sh (which builds and installs what is missing).
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { createEjabberd } from './ejabberd.js';
import { buildPlan } from './plan.js';
import { cpuSecondsOf } from './process-utils.js';
import { createProsody } from './prosody.js';
import { checkReady, runTool } from './runner.js';
import type { ServerUnderTest } from './server.js';
import { summarise, type RunRecord } from './summary.js';

// Compiled to bench/dist/compare/: the repository is three levels up.
const root = resolve(import.meta.dirname, '..', '..', '..');

const { values: v } = parseArgs({
  options: {
    servers: { type: 'string', default: 'ejabberd,prosody,onlinetime' },
    runs: { type: 'string', default: '3' },
    scenarios: { type: 'string', default: 'all' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    users: { type: 'string', default: '5000' },
    vcards: { type: 'string', default: '1000' },
    'idle-connections': { type: 'string', default: '5000' },
    logins: { type: 'string', default: '2000' },
    'kafka-brokers': { type: 'string' },
    // KEY=VALUE,KEY=VALUE: extra environment for our services (experiments; recorded in the report).
    'stack-env': { type: 'string', default: '' },
    'mysql-server': { type: 'string', default: 'mysql://root@127.0.0.1:3306' },
    out: { type: 'string', default: join(root, 'bench', '.cache', 'results') },
  },
});
const num = (name: keyof typeof v): number => Number(v[name]);
const users = num('users');
const PASSWORD = 'benchpass';
const PREFIX = 'bench';

const plan = buildPlan({
  seconds: num('seconds'),
  warmup: num('warmup'),
  vcardUsers: num('vcards'),
  idleConnections: Math.min(num('idle-connections'), users),
  logins: num('logins'),
}).filter(
  (s) =>
    v.scenarios === 'all' ||
    String(v.scenarios)
      .split(',')
      .some((id) => s.id.startsWith(id)),
);

const stackEnv: Record<string, string> = Object.fromEntries(
  String(v['stack-env'])
    .split(',')
    .filter((pair) => pair.includes('='))
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);
const ports = { ejabberd: 25222, prosody: 25223, onlinetime: 25224 };
// Our stack's module imports the workspace packages (built dist/): loaded only when it is compared.
const { createOnlinetime } = String(v.servers).split(',').includes('onlinetime')
  ? await import('./onlinetime.js')
  : {
      createOnlinetime: () => {
        throw new Error('unreachable');
      },
    };
const all: Record<string, () => ServerUnderTest> = {
  ejabberd: () =>
    createEjabberd({ port: ports.ejabberd, configTemplate: join(root, 'bench', 'ejabberd', 'ejabberd.yml') }),
  prosody: () =>
    createProsody({ port: ports.prosody, configTemplate: join(root, 'bench', 'prosody', 'prosody.cfg.lua') }),
  onlinetime: () =>
    createOnlinetime({
      root,
      port: ports.onlinetime,
      kafkaBrokers: v['kafka-brokers'],
      mysqlServer: String(v['mysql-server']),
      cliUsers: 3,
      extraEnv: stackEnv,
    }),
};
const servers = String(v.servers)
  .split(',')
  .map((name) => {
    const make = all[name];
    if (make === undefined) throw new Error(`unknown server ${name} (known: ${Object.keys(all).join(', ')})`);
    return make();
  });

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
mkdirSync(String(v.out), { recursive: true });
const jsonl = join(String(v.out), `compare-${stamp}.jsonl`);
const log = (line: string): void =>
  void process.stderr.write(`[compare ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

async function cleanupAll(): Promise<void> {
  for (const s of servers) {
    await s.stop().catch((err: Error) => log(`stopping ${s.name}: ${err.message}`));
    await s.cleanup().catch((err: Error) => log(`cleaning up ${s.name}: ${err.message}`));
  }
}

let interrupted = false;
process.once('SIGINT', () => {
  interrupted = true;
  log('interrupted: stopping the servers');
  void cleanupAll().then(() => process.exit(130));
});

function common(s: ServerUnderTest): string[] {
  return [
    '--host',
    '127.0.0.1',
    '--port',
    String(s.port),
    '--domain',
    s.domain,
    '--prefix',
    PREFIX,
    '--users',
    String(users),
    '--password',
    PASSWORD,
    '--label',
    s.name,
    '--cache-file',
    join(root, 'bench', '.cache', `scram-keys-${s.name}.json`),
    '--json',
  ];
}

function cpuSnapshot(s: ServerUnderTest): Map<string, number> {
  const at = new Map<string, number>();
  for (const p of s.processes()) {
    const seconds = cpuSecondsOf(p.pid);
    if (seconds !== null) at.set(p.name, seconds);
  }
  return at;
}

function cpuSince(s: ServerUnderTest, before: Map<string, number>): Record<string, number> {
  const used: Record<string, number> = {};
  for (const [name, seconds] of cpuSnapshot(s)) {
    const start = before.get(name);
    if (start !== undefined) used[name] = seconds - start;
  }
  return used;
}

async function main(): Promise<void> {
  const records: RunRecord[] = [];
  const versions: string[] = [];
  for (const s of servers) {
    log(`${s.name}: preparing, creating ${users} accounts and ${v.vcards} vCards`);
    await s.prepare();
    await s.start();
    const { registerInBand } = await s.createAccounts(PREFIX, users, PASSWORD);
    await checkReady(s, PREFIX, PASSWORD, registerInBand);
    const populate = await runTool([
      ...common(s),
      'populate',
      ...(registerInBand ? ['--register'] : []),
      '--vcards',
      String(v.vcards),
      '--concurrency',
      '20',
    ]);
    log(`${s.name}: populated ${JSON.stringify(populate.extra)} errors ${JSON.stringify(populate.errors)}`);
    versions.push(await s.version());
    await s.stop();
  }
  const runs = num('runs');
  for (let run = 1; run <= runs && !interrupted; run += 1) {
    // Alternate: each run starts with the next server.
    const order = servers.map((_, i) => servers[(i + run - 1) % servers.length] as ServerUnderTest);
    for (const s of order) {
      log(`run ${run}/${runs}: ${s.name} (fresh start)`);
      await s.start();
      await checkReady(s, PREFIX, PASSWORD, false);
      for (const spec of plan) {
        if (interrupted) break;
        if (spec.freshStart === true) {
          log(`  restarting ${s.name} for ${spec.id}`);
          await s.stop();
          await s.start();
          await checkReady(s, PREFIX, PASSWORD, false);
        }
        const extra: string[] = [];
        if (spec.needsPid === true) extra.push('--pid', String(s.pid()));
        if (spec.needsMysql === true && 'mysqlUrl' in s)
          extra.push('--mysql-url', (s as { mysqlUrl(): string }).mysqlUrl());
        const before = cpuSnapshot(s);
        const record: RunRecord = await runTool([...common(s), ...spec.args, ...extra]).then(
          (result) => ({ run, server: s.name, spec: spec.id, result, cpuSeconds: cpuSince(s, before) }),
          (err: Error) => ({ run, server: s.name, spec: spec.id, failure: err.message }),
        );
        records.push(record);
        appendFileSync(jsonl, `${JSON.stringify(record)}\n`);
        const r = record.result;
        log(
          `  ${spec.id}: ${r === undefined ? `FAILED ${record.failure}` : `rate ${r.rate} p50 ${r.latency?.p50 ?? '-'} p99 ${r.latency?.p99 ?? '-'} errors ${JSON.stringify(r.errors)} ${JSON.stringify(r.extra)}`}`,
        );
      }
      await s.stop();
    }
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, load now ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
  const report = [
    `### Comparison ${stamp}`,
    '',
    `Machine: ${machine}`,
    '',
    ...versions.map((x) => `- ${x}`),
    '',
    `Our stack's extra environment: ${JSON.stringify(stackEnv)}`,
    '',
    `Runs: ${runs}, scenarios ${num('seconds')} s (+${num('warmup')} s warm-up), ${users} accounts, ${v.vcards} vCards; raw results: ${jsonl}`,
    '',
    summarise(
      plan,
      servers.map((s) => s.name),
      records,
    ),
  ].join('\n');
  writeFileSync(jsonl.replace(/\.jsonl$/, '.md'), report);
  process.stdout.write(`${report}\n`);
}

main()
  .catch((err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  })
  .finally(() => cleanupAll());
