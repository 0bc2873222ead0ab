import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The broker version: see README "Kafka version" for why 3.9.1 and not 4.x. */
export const KAFKA_VERSION = '3.9.1';

const root = resolve(import.meta.dirname, '../..');
const pom = join(import.meta.dirname, 'kafka', 'pom.xml');

export interface KafkaBroker {
  readonly brokers: string;
  readonly logFile: string;
  /** Stops the broker and deletes its data. */
  stop(): Promise<void>;
  /** Stops the broker process (SIGTERM, SIGKILL after 20 s) and keeps its data, for restart(). */
  stopBroker(): Promise<void>;
  /** Starts the broker again on the same ports and data (after stopBroker()). */
  restart(): Promise<void>;
}

/** Copies kafka_2.13 and its runtime dependencies from Maven Central once into .cache/ (git-ignored). */
export async function ensureKafkaClasspath(): Promise<string> {
  const libs = join(root, '.cache', `kafka-${KAFKA_VERSION}`, 'libs');
  const marker = join(libs, '.complete');
  if (existsSync(marker)) return libs;
  mkdirSync(libs, { recursive: true });
  await run(
    'mvn',
    [
      '-B',
      '-q',
      '-f',
      pom,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${libs}`,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  ).catch((err: Error & { stdout?: string }) => {
    throw new Error(
      `could not fetch the Kafka broker from Maven Central: ${err.message}\n${err.stdout ?? ''}`,
    );
  });
  const jars = readdirSync(libs);
  for (const needed of [
    'kafka_2.13-',
    'kafka-clients-',
    'kafka-raft-',
    'kafka-metadata-',
    'scala-library-',
  ]) {
    if (!jars.some((j) => j.startsWith(needed)))
      throw new Error(`Kafka classpath incomplete: no ${needed}*.jar in ${libs}`);
  }
  writeFileSync(marker, new Date().toISOString());
  return libs;
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

function serverProperties(dataDir: string, port: number, controllerPort: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${join(dataDir, 'logs')}`,
    'num.partitions=1',
    // A single node: every internal topic with one replica, or group coordination never starts.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    'log.flush.interval.messages=9223372036854775807',
    '',
  ].join('\n');
}

const LOG4J = [
  'log4j.rootLogger=WARN, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.kafka.server.KafkaRaftServer=INFO',
  '',
].join('\n');

/** Formats fresh KRaft storage and starts a single combined broker+controller on 127.0.0.1. */
export async function startKafkaBroker(options: { startTimeoutMs?: number } = {}): Promise<KafkaBroker> {
  const libs = await ensureKafkaClasspath();
  const classpath = `${libs}/*`;
  const dataDir = mkdtempSync(join(tmpdir(), 'onlinetime-kafka-'));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const props = join(dataDir, 'server.properties');
  const log4j = join(dataDir, 'log4j.properties');
  writeFileSync(props, serverProperties(dataDir, port, controllerPort));
  writeFileSync(log4j, LOG4J);
  const clusterId = newClusterId();
  await run('java', [
    '-Dlog4j.configuration=file:' + log4j,
    '-cp',
    classpath,
    'kafka.tools.StorageTool',
    'format',
    `--cluster-id=${clusterId}`,
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

interface RunningBroker {
  stop(): Promise<void>;
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
  await new Promise<void>((resolveStart, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Kafka broker did not start within ${startTimeoutMs} ms:\n${output.slice(-4000)}`));
    }, startTimeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Kafka Server started')) {
        clearTimeout(timer);
        resolveStart();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`Kafka broker exited with ${code} before it started:\n${output.slice(-4000)}`));
    });
  });
  child.stdout?.on('data', (chunk: Buffer) => writeFileSync(logFile, chunk, { flag: 'a' }));

  return {
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

/**
 * A random KRaft cluster id as Kafka makes them (Uuid.randomUuid): 16 bytes in base64url, never
 * starting with '-', which kafka-storage's argument parser takes for an option (1 id in 64 would).
 */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
