#!/usr/bin/env node
/**
 * xmpp-load: the load tool (raw XMPP over TCP, optional STARTTLS). One scenario per run; prints
 * one JSON line per result on stdout and a table on stderr. `node bench/dist/xmpp-load/cli.js --help`
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { createLagProbe } from './lag-probe.js';
import { toJsonLine, toTable, type ScenarioResult } from './report.js';
import { ScramKeyCache, type ClientMechanism } from './sasl-scram.js';
import { runChurnScenario } from './scenario-churn.js';
import { runIdleScenario } from './scenario-idle.js';
import { runIqScenario, type IqAddressing, type IqKind } from './scenario-iq.js';
import { runLoginScenario } from './scenario-login.js';
import { runPopulate } from './scenario-populate.js';
import type { Target } from './target.js';

const HELP = `usage: xmpp-load <scenario> [options]

scenarios:
  populate    register users (--register, in band) and give users 1..--vcards a vCard
  login       --logins N with --concurrency C: logins/s, login time
  vcard       --clients C, --outstanding K, --seconds D: IQ/s and round trip (also: onlinetime, last, ping)
  idle        --connections N held; server RSS per connection from --pid
  churn       --rate R sessions/s held --hold-ms each for --seconds; --mysql-url measures logout→MySQL lag

server:   --host 127.0.0.1 --port 5222 --domain localhost [--tls]
accounts: --prefix bench --users 1000 --password benchpass --mech auto|SCRAM-SHA-1|SCRAM-SHA-256|PLAIN
other:    --label NAME --timeout-ms 10000 --presence --cache-file bench/.cache/scram-keys.json
iq:       --clients 50 --outstanding 1 --seconds 10 --warmup 2 --addressing mix|self|others|server
          --target-users N (default --users) --rate 0 (IQ/s offered; 0 = closed loop) --login-concurrency 50
login:    --logins 2000 --concurrency 50 --max-seconds 120
idle:     --connections 1000 --concurrency 50 --pid PID --settle 3
churn:    --rate 50 --hold-ms 1000 --seconds 10 --mysql-url URL --probe-every 5
`;

const SCENARIOS = ['populate', 'login', 'vcard', 'onlinetime', 'last', 'ping', 'idle', 'churn'] as const;
type Scenario = (typeof SCENARIOS)[number];

const STRING_OPTIONS = [
  'host',
  'port',
  'domain',
  'prefix',
  'users',
  'password',
  'mech',
  'label',
  'timeout-ms',
  'cache-file',
  'clients',
  'outstanding',
  'seconds',
  'warmup',
  'addressing',
  'target-users',
  'rate',
  'login-concurrency',
  'logins',
  'concurrency',
  'max-seconds',
  'connections',
  'pid',
  'settle',
  'hold-ms',
  'mysql-url',
  'probe-every',
  'vcards',
];
const BOOLEAN_OPTIONS = ['tls', 'presence', 'register', 'help', 'json'];

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new Error(`--${name} must be a non-negative number, got "${value}"`);
  return n;
}

export async function main(argv: readonly string[]): Promise<number> {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const name of STRING_OPTIONS) options[name] = { type: 'string' };
  for (const name of BOOLEAN_OPTIONS) options[name] = { type: 'boolean' };
  const parsed = parseArgs({ args: [...argv], allowPositionals: true, options });
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const positionals = parsed.positionals;
  const s = (name: string): string | undefined => {
    const value = v[name];
    return typeof value === 'string' ? value : undefined;
  };
  const b = (name: string): boolean => v[name] === true;
  const scenario = positionals[0] as Scenario | undefined;
  if (b('help') || scenario === undefined || !SCENARIOS.includes(scenario)) {
    process.stdout.write(HELP);
    return b('help') ? 0 : 2;
  }
  const mech = (s('mech') ?? 'auto') as ClientMechanism | 'auto';
  if (!['auto', 'SCRAM-SHA-1', 'SCRAM-SHA-256', 'PLAIN'].includes(mech))
    throw new Error(`unknown --mech ${mech}`);
  const cache = new ScramKeyCache();
  const cacheFile = s('cache-file');
  if (cacheFile !== undefined) cache.load(resolve(cacheFile));
  const target: Target = {
    host: s('host') ?? '127.0.0.1',
    port: int(s('port'), 5222, 'port'),
    domain: s('domain') ?? 'localhost',
    prefix: s('prefix') ?? 'bench',
    users: int(s('users'), 1000, 'users'),
    password: s('password') ?? 'benchpass',
    mechanism: mech,
    tls: b('tls'),
    timeoutMs: int(s('timeout-ms'), 10_000, 'timeout-ms'),
    presence: b('presence'),
    cache,
  };
  const label = s('label') ?? `${target.host}:${target.port}`;
  let result: ScenarioResult;
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  switch (scenario) {
    case 'populate':
      result = await runPopulate(target, label, {
        register: b('register'),
        vcards: int(s('vcards'), 0, 'vcards'),
        concurrency: int(s('concurrency'), 20, 'concurrency'),
        maxSeconds: int(s('max-seconds'), 600, 'max-seconds'),
      });
      break;
    case 'login':
      result = await runLoginScenario(target, label, {
        logins: int(s('logins'), 2000, 'logins'),
        concurrency: int(s('concurrency'), 50, 'concurrency'),
        maxSeconds: int(s('max-seconds'), 120, 'max-seconds'),
      });
      break;
    case 'idle':
      result = await runIdleScenario(target, label, {
        connections: int(s('connections'), 1000, 'connections'),
        concurrency: int(s('concurrency'), 50, 'concurrency'),
        pid: int(s('pid'), 0, 'pid'),
        settleSeconds: int(s('settle'), 3, 'settle'),
        maxSeconds: int(s('max-seconds'), 300, 'max-seconds'),
      });
      break;
    case 'churn': {
      const url = s('mysql-url');
      result = await runChurnScenario(target, label, {
        rate: int(s('rate'), 50, 'rate'),
        holdMs: int(s('hold-ms'), 1000, 'hold-ms'),
        seconds: int(s('seconds'), 10, 'seconds'),
        probe: url === undefined ? undefined : await createLagProbe(url),
        probeEvery: Math.max(1, int(s('probe-every'), 5, 'probe-every')),
      });
      break;
    }
    default:
      result = await runIqScenario(target, label, {
        kind: scenario as IqKind,
        clients: int(s('clients'), 50, 'clients'),
        outstanding: Math.max(1, int(s('outstanding'), 1, 'outstanding')),
        seconds: Math.max(1, int(s('seconds'), 10, 'seconds')),
        warmupSeconds: int(s('warmup'), 2, 'warmup'),
        addressing: (s('addressing') ?? 'mix') as IqAddressing,
        targetUsers: int(s('target-users'), target.users, 'target-users'),
        rate: int(s('rate'), 0, 'rate'),
        loginConcurrency: int(s('login-concurrency'), 50, 'login-concurrency'),
      });
  }
  if (cacheFile !== undefined) cache.save(resolve(cacheFile));
  // How busy the tool itself was (near 100%: the client may be the bottleneck) and the machine's load.
  const cpu = process.cpuUsage(cpuBefore);
  const clientCpuPct =
    Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore)) * 1000) / 10;
  result = {
    ...result,
    extra: { ...result.extra, clientCpuPct, loadAvg1: Math.round((loadavg()[0] ?? 0) * 100) / 100 },
  };
  process.stdout.write(`${toJsonLine(result)}\n`);
  if (!b('json')) process.stderr.write(`${toTable([result])}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`xmpp-load: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
