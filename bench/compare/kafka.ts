import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort, run, spawnLogged, waitUntil, type Child } from './process-utils.js';

/**
 * A tiny single-node KRaft broker for the benchmarks (the test harness's launcher is TypeScript
 * outside bench/, so this is a reimplementation of the same recipe). Jars come from Maven Central
 * once, into the same git-ignored .cache/ the tests use (test/infra/kafka/pom.xml).
 */
export const KAFKA_VERSION = '3.9.1';

export interface BenchKafka {
  readonly brokers: string;
  readonly pid: number;
  stop(): Promise<void>;
}

async function classpath(root: string): Promise<string> {
  const libs = join(root, '.cache', `kafka-${KAFKA_VERSION}`, 'libs');
  if (!existsSync(join(libs, '.complete'))) {
    mkdirSync(libs, { recursive: true });
    const pom = join(root, 'test', 'infra', 'kafka', 'pom.xml');
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
      {
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    if (!readdirSync(libs).some((j) => j.startsWith('kafka_2.13-')))
      throw new Error(`no kafka_2.13 jar in ${libs}`);
    writeFileSync(join(libs, '.complete'), new Date().toISOString());
  }
  return `${libs}/*`;
}

export async function startBenchKafka(root: string): Promise<BenchKafka> {
  const cp = await classpath(root);
  const dir = mkdtempSync(join(tmpdir(), 'onlinetime-bench-kafka-'));
  const [port, controller] = [await freePort(), await freePort()];
  const props = join(dir, 'server.properties');
  const log4j = join(dir, 'log4j.properties');
  writeFileSync(
    props,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controller}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${join(dir, 'logs')}`,
      'num.partitions=1',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=false',
      '',
    ].join('\n'),
  );
  writeFileSync(
    log4j,
    [
      'log4j.rootLogger=WARN, stdout',
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka.server.KafkaRaftServer=INFO',
      '',
    ].join('\n'),
  );
  const id = newClusterId();
  await run('java', [
    `-Dlog4j.configuration=file:${log4j}`,
    '-cp',
    cp,
    'kafka.tools.StorageTool',
    'format',
    `--cluster-id=${id}`,
    '-c',
    props,
  ]);
  const logFile = join(dir, 'broker.log');
  const child: Child = spawnLogged(
    'java',
    [
      '-Xms256m',
      '-Xmx768m',
      '-XX:+UseG1GC',
      `-Dlog4j.configuration=file:${log4j}`,
      '-cp',
      cp,
      'kafka.Kafka',
      props,
    ],
    { logFile },
  );
  await Promise.race([
    waitUntil(
      async () => existsSync(logFile) && readFileSync(logFile, 'utf8').includes('Kafka Server started'),
      90_000,
      'Kafka to start',
    ),
    child.exited.then((code) => {
      throw new Error(`Kafka exited with ${code}: see ${logFile}`);
    }),
  ]);
  return {
    brokers: `127.0.0.1:${port}`,
    pid: child.process.pid ?? 0,
    async stop() {
      await child.stop(20_000);
      rmSync(dir, { recursive: true, force: true });
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
