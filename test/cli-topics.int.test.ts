import { TOPICS } from '@onlinetime/events';
import { describe, expect, it } from 'vitest';

import { jsonOf, runCli } from './cli-helpers.js';
import { kafkaBus } from './sessions-helpers.js';
import { uniqueId } from './helpers/infra.js';

interface Ensured {
  readonly topic: string;
  readonly status: 'created' | 'exists';
  readonly partitions: number;
  readonly retentionMs: number | null;
  readonly warnings: string[];
}

interface Described {
  readonly topic: string;
  readonly exists: boolean;
  readonly messages?: number;
  readonly retentionMs?: number | null;
  readonly partitions?: Array<{ partition: number; low: string; high: string }>;
}

describe('onlinetime topics', () => {
  it('when ensure runs, then every topic exists afterwards and a second run changes nothing', async () => {
    const first = await runCli(['topics', 'ensure', '--json']);
    expect(first.code).toBe(0);
    const ensured = jsonOf<Ensured[]>(first);
    expect(ensured.map((t) => t.topic)).toEqual([TOPICS.sessions, TOPICS.edges, TOPICS.iq]);
    const edges = ensured.find((t) => t.topic === TOPICS.edges);
    expect(edges?.partitions).toBe(1);

    const again = jsonOf<Ensured[]>(await runCli(['topics', 'ensure', '--json']));
    expect(again.map((t) => t.status)).toEqual(['exists', 'exists', 'exists']);
    expect(again.map((t) => t.partitions)).toEqual(ensured.map((t) => t.partitions));
  });

  it('when the configuration differs from an existing topic, then ensure warns and leaves the topic as it is', async () => {
    const bus = kafkaBus(uniqueId('topics'));
    const [before] = await bus.describeTopics([TOPICS.iq]);
    await bus.stop();
    const configured = (before?.partitions.length ?? 0) + 3;
    const result = await runCli(['topics', 'ensure'], { env: { IQ_PARTITIONS: String(configured) } });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `warning: ${TOPICS.iq} has ${before?.partitions.length} partitions, configured ${configured}`,
    );
    expect(result.stdout).toContain(`${TOPICS.iq}\texists\tpartitions=${before?.partitions.length}`);
  });

  it('when describe runs, then it shows the partitions and offsets Kafka reports', async () => {
    const bus = kafkaBus(uniqueId('topics'));
    const [sessions] = await bus.describeTopics([TOPICS.sessions]);
    await bus.stop();
    const result = await runCli(['topics', 'describe', '--json']);
    expect(result.code).toBe(0);
    const described = jsonOf<Described[]>(result);
    const got = described.find((d) => d.topic === TOPICS.sessions);
    expect(got?.exists).toBe(true);
    expect(got?.retentionMs).toBe(sessions?.retentionMs);
    expect(got?.partitions?.map((p) => p.partition)).toEqual(sessions?.partitions.map((p) => p.partition));
    // Offsets only grow: what the CLI saw is at least what was there before it ran.
    for (const p of got?.partitions ?? []) {
      const earlier = sessions?.partitions.find((q) => q.partition === p.partition);
      expect(BigInt(p.high)).toBeGreaterThanOrEqual(BigInt(earlier?.high ?? '0'));
    }
    const text = await runCli(['topics', 'describe']);
    expect(text.stdout).toMatch(
      new RegExp(`^${TOPICS.sessions.replace('.', '\\.')}: \\d+ partitions, \\d+ messages, retention `, 'm'),
    );
  });

  it('when KAFKA_BROKERS is missing or malformed, then exit 2 names the variable', async () => {
    const missing = await runCli(['topics', 'describe'], { env: { KAFKA_BROKERS: undefined } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('KAFKA_BROKERS: is required but not set');
    const malformed = await runCli(['topics', 'ensure'], { env: { KAFKA_BROKERS: 'no-port' } });
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('KAFKA_BROKERS');
    const badRetention = await runCli(['topics', 'ensure'], { env: { SESSIONS_RETENTION_MS: 'forever' } });
    expect(badRetention.code).toBe(2);
    expect(badRetention.stderr).toContain('SESSIONS_RETENTION_MS');
  });
});
