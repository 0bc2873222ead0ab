import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { ensureKafkaClasspath } from './classpath.js';
import { newClusterId } from './cluster-id.js';
import { LOG4J_PROPERTIES, serverProperties } from './server-config.js';

const run = promisify(execFile);

export interface KafkaBrokerOptions {
  /** Where the jars are kept (see ensureKafkaClasspath). Default: the repository's .cache/. */
  readonly cacheDir?: string;
  /** Default 60 000. */
  readonly startTimeoutMs?: number;
}

export interface KafkaBroker {
  /** host:port for clients. */
  readonly brokers: string;
  readonly logFile: string;
  /** The running broker's process id; 0 while it is stopped. */
  readonly pid: number;
  /** Stops the broker and deletes its data. */
  stop(): Promise<void>;
  /** Stops the broker process (SIGTERM, SIGKILL after 20 s) and keeps its data, for restart(). */
  stopBroker(): Promise<void>;
  /** Starts the broker again on the same ports and data (after stopBroker()). */
  restart(): Promise<void>;
}

interface RunningBroker {
  readonly pid: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Formats fresh KRaft storage and starts a single combined broker+controller on 127.0.0.1. */
export async function startKafkaBroker(options: KafkaBrokerOptions = {}): Promise<KafkaBroker> {
  const classpath = `${await ensureKafkaClasspath(options.cacheDir)}/*`;
  const dataDir = mkdtempSync(join(tmpdir(), 'onlinetime-kafka-'));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const props = join(dataDir, 'server.properties');
  const log4j = join(dataDir, 'log4j.properties');
  writeFileSync(props, serverProperties(dataDir, port, controllerPort));
  writeFileSync(log4j, LOG4J_PROPERTIES);
  await run('java', [
    `-Dlog4j.configuration=file:${log4j}`,
    '-cp',
    classpath,
    'kafka.tools.StorageTool',
    'format',
    `--cluster-id=${newClusterId()}`,
    '-c',
    props,
  ]);

  const logFile = join(dataDir, 'broker.log');
  const launch = (): Promise<RunningBroker> =>
    launchBroker(classpath, log4j, props, logFile, options.startTimeoutMs ?? 60_000);
  let running: RunningBroker | null = await launch();
  const stopBroker = async (): Promise<void> => {
    const current = running;
    running = null;
    await current?.stop();
  };

  return {
    brokers: `127.0.0.1:${port}`,
    logFile,
    get pid() {
      return running?.pid ?? 0;
    },
    async stop() {
      await stopBroker();
      rmSync(dataDir, { recursive: true, force: true });
    },
    stopBroker,
    async restart() {
      if (running !== null) throw new Error('the broker is running: stopBroker() first');
      running = await launch();
    },
  };
}

/** Runs kafka.Kafka with the given configuration; resolves once it logged "Kafka Server started". */
async function launchBroker(
  classpath: string,
  log4j: string,
  props: string,
  logFile: string,
  startTimeoutMs: number,
): Promise<RunningBroker> {
  const child: ChildProcess = spawn(
    'java',
    [
      '-Xms256m',
      '-Xmx768m',
      '-XX:+UseG1GC',
      `-Dlog4j.configuration=file:${log4j}`,
      '-cp',
      classpath,
      'kafka.Kafka',
      props,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  await new Promise<void>((resolveStart, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Kafka broker did not start within ${startTimeoutMs} ms:\n${output.slice(-4000)}`));
    }, startTimeoutMs);
    const onStarted = (): void => {
      if (!output.includes('Kafka Server started')) return;
      clearTimeout(timer);
      resolveStart();
    };
    child.stdout?.on('data', onStarted);
    child.stderr?.on('data', onStarted);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`Kafka broker exited with ${code} before it started:\n${output.slice(-4000)}`));
    });
  });
  // From here on the output goes to the log file only (a restart appends to it).
  child.stdout?.removeAllListeners('data');
  child.stderr?.removeAllListeners('data');
  const append = (chunk: Buffer | string): void => writeFileSync(logFile, chunk, { flag: 'a' });
  append(output);
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);

  return {
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(killer);
      }
    },
  };
}
