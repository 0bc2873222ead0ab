import type { Bus } from '@onlinetime/bus';
import { openRebuildTarget, type RebuildTarget } from '@onlinetime/store';

import { createProgress } from './progress.js';
import { createRebuildAccumulator } from './rebuild-accumulator.js';
import {
  captureWatermarks,
  messagesBelow,
  replaySessions,
  type PartitionMarks,
  type ReplayStats,
} from './replay-sessions.js';

export interface RebuildOptions {
  readonly bus: Bus;
  readonly mysqlUrl: string;
  readonly topic: string;
  readonly groupId: string;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export type RebuildResult =
  | {
      readonly kind: 'swapped';
      readonly marks: readonly PartitionMarks[];
      readonly replay: ReplayStats;
      readonly users: number;
      readonly finishedSessions: number;
      readonly openSessions: number;
      readonly elapsedMs: number;
    }
  /** consumer_offsets of the group changed while rebuilding: a worker is running. Nothing swapped. */
  | {
      readonly kind: 'worker-active';
      readonly before: ReadonlyMap<number, string | null>;
      readonly after: ReadonlyMap<number, string | null>;
    };

const FLUSH_ROWS = 4096;
const USER_CHUNK = 2048;

function sameOffsets(a: ReadonlyMap<number, string | null>, b: ReadonlyMap<number, string | null>): boolean {
  return a.size === b.size && [...a].every(([p, o]) => b.has(p) && b.get(p) === o);
}

/**
 * Replays the log into fresh tables and swaps them in. Refuses to swap when the sessions worker
 * recorded any offset meanwhile (its writes to the old tables would be lost).
 */
export async function runRebuild(options: RebuildOptions): Promise<RebuildResult> {
  const target: RebuildTarget = await openRebuildTarget(options.mysqlUrl);
  let swapped = false;
  try {
    const before = await target.readOffsets(options.groupId, options.topic);
    const marks = await captureWatermarks(options.bus, options.topic);
    await target.prepare();
    const accumulator = createRebuildAccumulator();
    const progress = createProgress({
      label: 'rebuild',
      unit: 'events',
      total: messagesBelow(marks),
      stream: options.stderr,
    });
    const replay = await replaySessions({
      bus: options.bus,
      topic: options.topic,
      marks,
      apply: (event) => accumulator.apply(event),
      afterBatch: async (n) => {
        progress.add(n);
        if (accumulator.pendingFinished >= FLUSH_ROWS) await target.addFinished(accumulator.takeFinished());
      },
    });
    const elapsedMs = progress.finish();
    await target.addFinished(accumulator.takeFinished());
    let chunk = [];
    let openSessions = 0;
    for (const state of accumulator.changedUsers()) {
      chunk.push(state);
      openSessions += state.open.length;
      if (chunk.length >= USER_CHUNK) {
        await target.addUsers(chunk);
        chunk = [];
      }
    }
    await target.addUsers(chunk);

    const after = await target.readOffsets(options.groupId, options.topic);
    if (!sameOffsets(before, after)) return { kind: 'worker-active', before, after };
    await target.setOffsets(options.groupId, options.topic, new Map(marks.map((m) => [m.partition, m.high])));
    await target.swap();
    swapped = true;
    return {
      kind: 'swapped',
      marks,
      replay,
      users: accumulator.userCount,
      finishedSessions: accumulator.finishedCount,
      openSessions,
      elapsedMs,
    };
  } finally {
    if (!swapped) await target.discard().catch(() => undefined);
    await target.close();
  }
}
