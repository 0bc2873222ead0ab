import { randomBytes } from 'node:crypto';

import type { Batch, Bus, BusMessage, OutgoingRecord, Subscription } from '../types.js';

export interface BusFixture {
  readonly bus: Bus;
  cleanup(): Promise<void>;
}

export type BusFactory = () => Promise<BusFixture>;

/** Unique topic / group name for one test. */
export function uniqueName(prefix: string): string {
  return `${prefix}.${randomBytes(5).toString('hex')}`;
}

/** Polls until `check` holds; fails with `what` after timeoutMs. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  { timeoutMs = 30_000, intervalMs = 10 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** What the contract tests put in a record's value. */
export interface Payload {
  readonly id: string;
  readonly key: string;
  readonly seq: number;
}

export function record(key: string, seq: number, id = `${key}#${seq}`): OutgoingRecord {
  return { key, value: Buffer.from(JSON.stringify({ id, key, seq })) };
}

export function payloadOf(message: BusMessage): Payload {
  if (message.value === null)
    throw new Error(`message at ${message.partition}/${message.offset} has no value`);
  const parsed: unknown = JSON.parse(message.value.toString('utf8'));
  const p = parsed as Partial<Payload> | null;
  if (p === null || typeof p.id !== 'string' || typeof p.key !== 'string' || typeof p.seq !== 'number') {
    throw new Error(`not a contract payload: ${message.value.toString('utf8')}`);
  }
  return { id: p.id, key: p.key, seq: p.seq };
}

export interface Received {
  readonly member: string;
  readonly message: BusMessage;
  readonly payload: Payload;
}

/** A group member that records every message it handled (after its handler succeeded). */
export interface Recorder {
  readonly subscription: Subscription;
  /** Latest assignment reported by onAssignment. */
  assignment(): ReadonlyArray<{ topic: string; partitions: number[] }>;
}

export async function subscribeRecorder(
  bus: Bus,
  options: {
    groupId: string;
    topic: string;
    member: string;
    into: Received[];
    fromBeginning?: boolean;
    beforeHandled?: (batch: Batch) => Promise<void> | void;
  },
): Promise<Recorder> {
  let assignment: ReadonlyArray<{ topic: string; partitions: number[] }> = [];
  const subscription = await bus.subscribe({
    groupId: options.groupId,
    topics: [options.topic],
    ...(options.fromBeginning === undefined ? {} : { fromBeginning: options.fromBeginning }),
    onAssignment: (next) => {
      assignment = next;
    },
    handleBatch: async (batch) => {
      await options.beforeHandled?.(batch);
      for (const message of batch.messages) {
        options.into.push({ member: options.member, message, payload: payloadOf(message) });
      }
    },
  });
  return { subscription, assignment: () => assignment };
}

export function partitionsOf(
  assignment: ReadonlyArray<{ topic: string; partitions: number[] }>,
  topic: string,
): number[] {
  return assignment.filter((a) => a.topic === topic).flatMap((a) => a.partitions);
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Runs `body` on a fresh bus from the factory and always cleans it up. */
export async function withBus<T>(makeBus: BusFactory, body: (bus: Bus) => Promise<T>): Promise<T> {
  const fixture = await makeBus();
  try {
    return await body(fixture.bus);
  } finally {
    await fixture.cleanup();
  }
}
