import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import { createReplayAccumulator, type UserState } from '@onlinetime/accounting';
import type { Bus } from '@onlinetime/bus';
import { OnlinetimeError } from '@onlinetime/errors';
import type { LogLevel } from '@onlinetime/logging';

import {
  replaySessions,
  type InvalidSample,
  type PartitionMarks,
  type ReplayStats,
} from './replay-sessions.js';

type Window = { readonly from: number | null; readonly to: number | null };

export interface AuditReplayOptions {
  readonly bus: Bus;
  readonly topic: string;
  readonly marks: readonly PartitionMarks[];
  readonly window: Window | null;
  /** After each batch, in whichever thread read it. */
  readonly afterBatch: (messages: number) => void;
  /**
   * Replay in `count` worker threads (0: one per CPU), each with a Kafka reader of its own over a
   * share of the partitions. Absent: in this thread, through `bus`.
   */
  readonly threads?: {
    readonly count: number;
    readonly brokers: readonly string[];
    readonly logLevel: LogLevel;
  };
  /** Told when the threads' results cannot be merged and the replay starts over in one thread. */
  readonly warn?: (message: string) => void;
}

export interface AuditReplay {
  readonly users: ReadonlyMap<string, UserState>;
  readonly stats: ReplayStats;
}

/** What the main thread hands a replay thread. */
export interface ReplayWorkerData {
  readonly brokers: readonly string[];
  readonly logLevel: LogLevel;
  readonly topic: string;
  readonly marks: readonly PartitionMarks[];
  readonly window: Window | null;
}

export type ReplayWorkerMessage =
  | { readonly kind: 'batch'; readonly messages: number }
  | { readonly kind: 'done'; readonly users: UserState[]; readonly stats: ReplayStats }
  | {
      readonly kind: 'failed';
      readonly error: { readonly code: string | null; readonly message: string; readonly retriable: boolean };
    };

const MAX_SAMPLES = 20;
/** The thread's entry, compiled beside this file; run from sources (tests), it is absent. */
const WORKER_ENTRY = new URL('./audit-replay-worker.js', import.meta.url);

/**
 * Replays the log for the audit and returns every user's recomputed state. Records are keyed by
 * bare JID, so each user lives in one partition and partitions can be replayed independently, in
 * parallel; a user found in more than one partition (records keyed otherwise) makes the merge
 * unsound, and the replay then starts over in one thread. The one rule that crosses users (a
 * session id that finished never starts again) is then kept per thread: it differs only if two
 * users share a session id, whose outcome the worker too leaves to the order its partitions run in.
 */
export async function replayForAudit(options: AuditReplayOptions): Promise<AuditReplay> {
  const threads =
    options.threads !== undefined && existsSync(fileURLToPath(WORKER_ENTRY)) ? options.threads : undefined;
  const groups = threads === undefined ? [] : splitPartitions(options.marks, threadCount(threads.count));
  if (threads !== undefined && groups.length > 1) {
    const { brokers, logLevel } = threads;
    const parts = await runAll(
      groups.map((marks) => ({ brokers, logLevel, topic: options.topic, marks, window: options.window })),
      options.afterBatch,
    );
    const merged = mergeReplays(parts);
    if (merged !== null) return merged;
    options.warn?.('records of one user lie in more than one partition; replaying again in one thread');
  }
  return replayHere(options);
}

async function replayHere(options: AuditReplayOptions): Promise<AuditReplay> {
  const accumulator = createReplayAccumulator();
  const stats = await replaySessions({
    bus: options.bus,
    topic: options.topic,
    marks: options.marks,
    apply: (event) => accumulator.apply(event),
    ...(options.window === null ? {} : { window: options.window }),
    afterBatch: options.afterBatch,
  });
  return { users: accumulator.users, stats };
}

function threadCount(requested: number): number {
  return requested > 0 ? requested : availableParallelism();
}

/** Partitions holding messages, dealt to at most `count` groups of about equal message counts. */
export function splitPartitions(marks: readonly PartitionMarks[], count: number): PartitionMarks[][] {
  const size = (m: PartitionMarks): number => Number(BigInt(m.high) - BigInt(m.low));
  const busy = marks.filter((m) => size(m) > 0).sort((a, b) => size(b) - size(a));
  const groups = Array.from({ length: Math.min(count, busy.length) }, () => ({
    marks: [] as PartitionMarks[],
    load: 0,
  }));
  for (const mark of busy) {
    const lightest = groups.reduce((a, b) => (b.load < a.load ? b : a));
    lightest.marks.push(mark);
    lightest.load += size(mark);
  }
  return groups.map((g) => g.marks.sort((a, b) => a.partition - b.partition));
}

/** Users of every part (null if one appears in two parts), statistics summed. */
export function mergeReplays(parts: readonly AuditReplay[]): AuditReplay | null {
  const users = new Map<string, UserState>();
  const samples: InvalidSample[] = [];
  let read = 0;
  let applied = 0;
  let invalid = 0;
  let outsideWindow = 0;
  for (const part of parts) {
    for (const [jid, state] of part.users) {
      if (users.has(jid)) return null;
      users.set(jid, state);
    }
    read += part.stats.read;
    applied += part.stats.applied;
    invalid += part.stats.invalid;
    outsideWindow += part.stats.outsideWindow;
    samples.push(...part.stats.invalidSamples.slice(0, MAX_SAMPLES - samples.length));
  }
  return { users, stats: { read, applied, invalid, invalidSamples: samples, outsideWindow } };
}

/** Every replay thread's result; the first failure stops the others. */
async function runAll(
  data: readonly ReplayWorkerData[],
  afterBatch: (messages: number) => void,
): Promise<AuditReplay[]> {
  const workers = data.map(
    (workerData) =>
      // V8's default heap limits: a larger young generation (192 MB) cut the GC's share of a
      // thread's profile (12% to 8%) but cost more system time than it saved (measured, 1M events).
      new Worker(WORKER_ENTRY, { workerData }),
  );
  try {
    return await Promise.all(workers.map((worker) => resultOf(worker, afterBatch)));
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

function resultOf(worker: Worker, afterBatch: (messages: number) => void): Promise<AuditReplay> {
  return new Promise((resolve, reject) => {
    worker.on('message', (message: ReplayWorkerMessage) => {
      if (message.kind === 'batch') afterBatch(message.messages);
      else if (message.kind === 'done')
        resolve({ users: new Map(message.users.map((u) => [u.jid, u])), stats: message.stats });
      else {
        const { code, message: text, retriable } = message.error;
        reject(code === null ? new Error(text) : new OnlinetimeError(code, text, { retriable }));
      }
    });
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(
        new OnlinetimeError('AUDIT_REPLAY_FAILED', `a replay thread exited (code ${code}) before finishing`),
      ),
    );
  });
}
