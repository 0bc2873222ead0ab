/**
 * Services as child processes: the compiled CLI (`services/cli/bin/onlinetime.js`, built by the
 * integration global setup) started with its environment, its JSON log lines parsed, stopped with
 * SIGTERM then SIGKILL after a bound, or SIGKILLed on purpose. Every process started here is tracked
 * so a test's afterEach can end whatever is left (`stopAllServices`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { kafkaBrokers, mysqlUrl } from './infra.js';

export const CLI_BIN = fileURLToPath(new URL('../../services/cli/bin/onlinetime.js', import.meta.url));

/** One pino JSON line (anything else the process prints is kept as `{ msg: text }`). */
export interface LogLine {
  readonly msg?: string;
  readonly level?: number;
  readonly [field: string]: unknown;
}

export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code (null when ended by a signal). */
  readonly exited: Promise<number | null>;
  /** Port of /metrics /healthz /readyz (from the "started" line). */
  readonly metricsPort: number;
  /** The XMPP port of an edge (from its "edge started" line), else 0. */
  readonly xmppPort: number;
  /** The last lines logged (bounded). */
  lines(): readonly LogLine[];
  /** Count of lines logged so far whose msg is `msg`. */
  count(msg: string): number;
  /** Resolves with the first line matching (already logged or coming), within timeoutMs. */
  waitForLine(what: string, match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** SIGKILL, resolves when gone. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves with the exit code (null = killed). */
  stop(timeoutMs?: number): Promise<number | null>;
  /** Resident set size in KiB, from /proc/<pid>/status. */
  rssKb(): number;
  stderr(): string;
}

export interface StartOptions {
  /** Added to the defaults (KAFKA_BROKERS, MYSQL_URL, METRICS_PORT=0, LOG_LEVEL=info). */
  readonly env?: Readonly<Record<string, string>>;
  /** Shown in errors; default the command. */
  readonly name?: string;
  readonly startTimeoutMs?: number;
}

const MAX_LINES = 5_000;
const running = new Set<ServiceProcess>();

/** Starts `onlinetime <command>` and waits for its "<command> started" line (metrics port known). */
export async function startService(command: string, options: StartOptions = {}): Promise<ServiceProcess> {
  const name = options.name ?? command;
  const env: Record<string, string> = {};
  const merged = {
    ...process.env,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    MYSQL_URL: mysqlUrl(),
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    ...options.env,
  };
  for (const [key, value] of Object.entries(merged)) if (value !== undefined) env[key] = value;
  const child = spawn(process.execPath, [CLI_BIN, command], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  const counts = new Map<string, number>();
  const waiters = new Set<(line: LogLine) => void>();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-8_000)));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { msg: text };
    }
    lines.push(line);
    if (lines.length > MAX_LINES) lines.splice(0, lines.length - MAX_LINES);
    if (typeof line.msg === 'string') counts.set(line.msg, (counts.get(line.msg) ?? 0) + 1);
    for (const waiter of [...waiters]) waiter(line);
  });
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolve(code);
    }),
  );
  const tail = (): string =>
    `${lines
      .slice(-15)
      .map((l) => JSON.stringify(l))
      .join('\n')}\nstderr: ${stderr}`;

  const waitForLine: ServiceProcess['waitForLine'] = (what, match, timeoutMs = 30_000) => {
    const found = lines.find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const done = (err: Error | null, line?: LogLine): void => {
        clearTimeout(timer);
        waiters.delete(onLine);
        if (err === null) resolve(line as LogLine);
        else reject(err);
      };
      const onLine = (line: LogLine): void => {
        if (match(line)) done(null, line);
      };
      const timer = setTimeout(
        () => done(new Error(`${name} (pid ${child.pid}): no "${what}" within ${timeoutMs} ms\n${tail()}`)),
        timeoutMs,
      );
      waiters.add(onLine);
      void exited.then((code) =>
        done(new Error(`${name} (pid ${child.pid}) exited (${code}) before "${what}"\n${tail()}`)),
      );
    });
  };

  // One SIGTERM only: a second one makes a service exit at once instead of draining.
  let stopping: Promise<number | null> | undefined;
  const stop = (timeoutMs = 20_000): Promise<number | null> => {
    stopping ??= (async () => {
      if (exitCode === undefined) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        await exited;
        clearTimeout(killer);
      }
      return exitCode ?? null;
    })();
    return stopping;
  };

  const started = await waitForLine(
    `${command} started`,
    (l) => typeof l.metricsPort === 'number',
    options.startTimeoutMs ?? 60_000,
  ).catch(async (err: unknown) => {
    child.kill('SIGKILL');
    await exited;
    throw err;
  });
  const portLine = lines.find((l) => l.msg === 'edge started' && typeof l.port === 'number');
  const service: ServiceProcess = {
    name,
    pid: child.pid as number,
    child,
    exited,
    metricsPort: started.metricsPort as number,
    xmppPort: typeof portLine?.port === 'number' ? portLine.port : 0,
    lines: () => lines,
    count: (msg) => counts.get(msg) ?? 0,
    waitForLine,
    async kill() {
      if (exitCode === undefined) child.kill('SIGKILL');
      await exited;
    },
    stop,
    rssKb: () => rssKbOf(child.pid as number),
    stderr: () => stderr,
  };
  running.add(service);
  void exited.then(() => running.delete(service));
  return service;
}

/** Ends every service process still running: SIGTERM, then SIGKILL after `timeoutMs`. */
export async function stopAllServices(timeoutMs = 15_000): Promise<void> {
  await Promise.all([...running].map((s) => s.stop(timeoutMs)));
}

/** Resident set size of a process in KiB (VmRSS of /proc/<pid>/status). */
export function rssKbOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (match === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
}

/** GET a health-server path; `/metrics` text or the /readyz status. */
export async function scrape(port: number, path = '/metrics'): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.text() };
}

/**
 * Sum of a Prometheus sample's values over every series whose labels include `labels`
 * (e.g. metricValue(text, 'onlinetime_edge_logins_total')); 0 when absent.
 */
export function metricValue(
  text: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (match === null || match[1] !== name) continue;
    const series = new Map(
      [...(match[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => series.get(k) === v)) sum += Number(match[4]);
  }
  return sum;
}
