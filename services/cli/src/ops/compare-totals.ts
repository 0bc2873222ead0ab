import type { UserState } from '@onlinetime/accounting';
import type { UserTotals } from '@onlinetime/store';

/** The values the audit compares per user. */
export interface ComparedValues {
  readonly totalMs: number;
  readonly onlineSince: number | null;
  readonly balanceMs: number | null;
}

export interface Difference {
  readonly jid: string;
  /** Null: no row in online_time. */
  readonly live: ComparedValues | null;
  /** Null: the user has no event in the log. */
  readonly log: ComparedValues | null;
  /** Which of totalMs, onlineSince, balanceMs differ. */
  readonly fields: readonly (keyof ComparedValues)[];
}

export interface Comparison {
  /** Users on either side. */
  readonly checked: number;
  readonly differing: number;
  /** The first `keep` differences (all of them are counted). */
  readonly differences: readonly Difference[];
}

const EMPTY: ComparedValues = { totalMs: 0, onlineSince: null, balanceMs: null };
const FIELDS = ['totalMs', 'onlineSince', 'balanceMs'] as const;

function values(v: ComparedValues): ComparedValues {
  return { totalMs: v.totalMs, onlineSince: v.onlineSince, balanceMs: v.balanceMs };
}

function differingFields(a: ComparedValues, b: ComparedValues): (keyof ComparedValues)[] {
  return FIELDS.filter((f) => a[f] !== b[f]);
}

/**
 * Compares replayed states with the live online_time rows, streamed page by page. A user present on
 * one side only is compared with an empty state (0 ms, offline, no balance): a missing row of a user
 * whose events changed nothing is not a difference; one whose total is not zero is.
 */
export async function compareTotals(
  recomputed: ReadonlyMap<string, UserState>,
  live: AsyncIterable<readonly UserTotals[]>,
  keep: number,
): Promise<Comparison> {
  const seen = new Set<string>();
  const differences: Difference[] = [];
  let differing = 0;
  const record = (d: Difference): void => {
    differing += 1;
    if (differences.length < keep) differences.push(d);
  };
  for await (const page of live) {
    for (const row of page) {
      seen.add(row.jid);
      const state = recomputed.get(row.jid);
      const fields = differingFields(row, state ?? EMPTY);
      if (fields.length > 0)
        record({ jid: row.jid, live: values(row), log: state ? values(state) : null, fields });
    }
  }
  let logOnly = 0;
  for (const [jid, state] of recomputed) {
    if (seen.has(jid)) continue;
    logOnly += 1;
    const fields = differingFields(EMPTY, state);
    if (fields.length > 0) record({ jid, live: null, log: values(state), fields });
  }
  return { checked: seen.size + logOnly, differing, differences };
}
