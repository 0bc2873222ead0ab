import { onlineMs, type UserState } from '@onlinetime/accounting';
import type { Bus } from '@onlinetime/bus';
import type { LogLevel } from '@onlinetime/logging';
import type { Store } from '@onlinetime/store';

import { replayForAudit } from './audit-replay.js';
import { compareTotals, type Comparison } from './compare-totals.js';
import { createProgress } from './progress.js';
import {
  captureWatermarks,
  messagesBelow,
  type PartitionMarks,
  type ReplayStats,
} from './replay-sessions.js';
import { aheadOf, lagOf, waitForCatchUp, workerLag, type PartitionLag } from './worker-lag.js';

export interface AuditOptions {
  readonly bus: Bus;
  readonly store: Store;
  readonly mysqlUrl: string;
  readonly topic: string;
  readonly groupId: string;
  readonly window: { readonly from: number | null; readonly to: number | null } | null;
  readonly waitMs: number;
  readonly allowLag: boolean;
  /** Differences kept for the report (all are counted). */
  readonly keep: number;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Replay threads (each with its own Kafka reader); absent: replay in this thread through `bus`. */
  readonly threads?: {
    readonly count: number;
    readonly brokers: readonly string[];
    readonly logLevel: LogLevel;
  };
}

export interface WindowTotal {
  readonly jid: string;
  readonly ms: number;
  readonly minutes: number;
  /** Still online at the end of the window (its stretch is counted up to the end). */
  readonly onlineAtEnd: boolean;
}

export type AuditResult =
  | {
      readonly kind: 'refused';
      readonly marks: readonly PartitionMarks[];
      readonly lags: readonly PartitionLag[];
    }
  | {
      readonly kind: 'compare';
      readonly marks: readonly PartitionMarks[];
      readonly replay: ReplayStats;
      readonly comparison: Comparison;
      /** Worker lag at the start (non-empty only with --allow-lag) and its lead at the end. */
      readonly lagAtStart: number;
      readonly aheadAtEnd: number;
      readonly elapsedMs: number;
    }
  | {
      readonly kind: 'window';
      readonly marks: readonly PartitionMarks[];
      readonly replay: ReplayStats;
      readonly end: number;
      readonly totals: readonly WindowTotal[];
      readonly elapsedMs: number;
    };

/**
 * The audit: capture the end of the log, check the worker applied up to it, replay the log with the
 * worker's own accounting code, compare with online_time (or, for a --from/--to window, report the
 * recomputed totals of the events in the window).
 */
export async function runAudit(options: AuditOptions): Promise<AuditResult> {
  const { bus, store, topic, stderr } = options;
  const marks = await captureWatermarks(bus, topic);
  const readLag = (): Promise<PartitionLag[]> => workerLag(options.mysqlUrl, options.groupId, topic, marks);
  let lagAtStart = 0;
  if (options.window === null) {
    const lags = await waitForCatchUp(readLag, options.waitMs, (behind) =>
      stderr.write(
        `audit: the sessions worker is ${behind} events behind the end of the log; waiting up to ${options.waitMs / 1000}s\n`,
      ),
    );
    lagAtStart = lagOf(lags);
    if (lagAtStart > 0 && !options.allowLag) return { kind: 'refused', marks, lags };
  }

  const progress = createProgress({
    label: 'audit',
    unit: 'events',
    total: messagesBelow(marks),
    stream: stderr,
  });
  const { users, stats: replay } = await replayForAudit({
    bus,
    topic,
    marks,
    window: options.window,
    afterBatch: (n) => progress.add(n),
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    warn: (message) =>
      stderr.write(`${stderr.isTTY === true ? '\n' : ''}onlinetime audit: warning: ${message}\n`),
  });

  if (options.window !== null) {
    const end = options.window.to ?? Date.now();
    const totals: WindowTotal[] = [];
    for (const state of users.values()) totals.push(windowTotal(state, end));
    totals.sort((a, b) => (a.jid < b.jid ? -1 : a.jid > b.jid ? 1 : 0));
    return { kind: 'window', marks, replay, end, totals, elapsedMs: progress.finish() };
  }
  const elapsedMs = progress.finish();
  const comparison = await compareTotals(users, store.onlineTime.scanAll(1000), options.keep);
  const aheadAtEnd = aheadOf(await readLag());
  return { kind: 'compare', marks, replay, comparison, lagAtStart, aheadAtEnd, elapsedMs };
}

function windowTotal(state: UserState, end: number): WindowTotal {
  const ms = onlineMs(state, end);
  return { jid: state.jid, ms, minutes: Math.floor(ms / 60_000), onlineAtEnd: state.onlineSince !== null };
}
