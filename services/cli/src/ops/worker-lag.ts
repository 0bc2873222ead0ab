import { readRecordedOffsets } from '@onlinetime/store';

import type { PartitionMarks } from './replay-sessions.js';

export interface PartitionLag {
  readonly partition: number;
  /** Captured high watermark: the end of the audited log. */
  readonly high: string;
  /** Next offset the worker recorded in MySQL (null: none). */
  readonly recorded: string | null;
  /** Messages below the high watermark not yet applied (negative: the worker is past it). */
  readonly behind: number;
}

/**
 * Where the sessions worker stands (consumer_offsets in MySQL, written in the same transaction as
 * the totals) relative to the captured end of the log.
 */
export async function workerLag(
  url: string,
  groupId: string,
  topic: string,
  marks: readonly PartitionMarks[],
): Promise<PartitionLag[]> {
  const recorded = await readRecordedOffsets(url, groupId, topic);
  return marks.map(({ partition, low, high }) => {
    const next = recorded.get(partition) ?? null;
    const applied = next === null ? BigInt(low) : BigInt(next) > BigInt(low) ? BigInt(next) : BigInt(low);
    return { partition, high, recorded: next, behind: Number(BigInt(high) - applied) };
  });
}

export const lagOf = (lags: readonly PartitionLag[]): number =>
  lags.reduce((sum, l) => sum + Math.max(0, l.behind), 0);
export const aheadOf = (lags: readonly PartitionLag[]): number =>
  lags.reduce((sum, l) => sum + Math.max(0, -l.behind), 0);

/** Polls until the worker reached the captured watermarks or `waitMs` passed; returns the last reading. */
export async function waitForCatchUp(
  read: () => Promise<PartitionLag[]>,
  waitMs: number,
  onWait: (behind: number) => void,
): Promise<PartitionLag[]> {
  const deadline = Date.now() + waitMs;
  let lags = await read();
  let announced = false;
  while (lagOf(lags) > 0 && Date.now() < deadline) {
    if (!announced) onWait(lagOf(lags));
    announced = true;
    await new Promise((resolve) => setTimeout(resolve, Math.min(500, Math.max(0, deadline - Date.now()))));
    lags = await read();
  }
  return lags;
}
