/** The lookups of one batch: one query per kind for the whole batch, then a batch-local view. */
import { isOnlinetimeError, OnlinetimeError } from '@onlinetime/errors';
import type { OnlineTimeRepository, UserTotals, VcardsRepository, VcardWithTotals } from '@onlinetime/store';

import type { BatchLookup, Prefetch } from './iq-handler.js';

export interface LookupStore {
  readonly vcards: Pick<VcardsRepository, 'getMany' | 'getManyWithTotals' | 'put'>;
  readonly onlineTime: Pick<OnlineTimeRepository, 'getMany'>;
}

/**
 * Store errors keep their classification (the store marks what a retry can cure); anything else
 * from a store is taken as transient. A retriable error fails the batch (redelivered); a
 * non-retriable one from a write becomes internal-server-error for that IQ only.
 */
function storeFailure(err: unknown): OnlinetimeError {
  if (isOnlinetimeError(err)) return err;
  return new OnlinetimeError('STORE_UNAVAILABLE', 'the store failed; the batch will be redelivered', {
    retriable: true,
    cause: err,
  });
}

/**
 * Runs at most one onlineTime.getMany, one vcards.getMany and one vcards.getManyWithTotals for all
 * `needs`, at once. A failed read fails the whole batch (the bus delivers it again): no IQ of it
 * can be answered right.
 */
export async function createBatchLookup(deps: {
  store: LookupStore;
  needs: readonly Prefetch[];
  now: number;
  startedAt: number;
}): Promise<BatchLookup> {
  const { store, now, startedAt } = deps;
  const totalsWanted = new Set(deps.needs.flatMap((n) => n.totals ?? []));
  const pairedWanted = new Set(deps.needs.flatMap((n) => n.vcardsWithTotals ?? []));
  // A vCard wanted both ways is read once, with its owner's totals.
  const vcardsWanted = new Set(deps.needs.flatMap((n) => n.vcards ?? []).filter((j) => !pairedWanted.has(j)));
  let totals: Map<string, UserTotals>;
  let vcards: Map<string, string>;
  let paired: Map<string, VcardWithTotals>;
  try {
    [totals, vcards, paired] = await Promise.all([
      totalsWanted.size === 0 ? new Map<string, UserTotals>() : store.onlineTime.getMany([...totalsWanted]),
      vcardsWanted.size === 0 ? new Map<string, string>() : store.vcards.getMany([...vcardsWanted]),
      pairedWanted.size === 0
        ? new Map<string, VcardWithTotals>()
        : store.vcards.getManyWithTotals([...pairedWanted]),
    ]);
  } catch (err) {
    throw storeFailure(err);
  }
  // A vCard set makes its owner's vCard known for the rest of the batch.
  const view = new Map(vcards);
  const known = new Set([...vcardsWanted, ...pairedWanted]);
  // Totals read with a stored vCard (undefined: no row), by owner.
  const pairedTotals = new Map<string, UserTotals | undefined>();
  for (const [jid, stored] of paired) {
    view.set(jid, stored.xml);
    pairedTotals.set(jid, stored.totals);
  }

  const require = (wanted: Set<string>, jid: string, kind: string): void => {
    if (!wanted.has(jid))
      throw new Error(`${kind} of ${jid} was not prefetched (missing in the handler's needs)`);
  };

  return {
    now,
    startedAt,
    totals(jid) {
      if (pairedTotals.has(jid)) return pairedTotals.get(jid);
      require(totalsWanted, jid, 'online totals');
      return totals.get(jid);
    },
    vcard(jid) {
      require(known, jid, 'vCard');
      return view.get(jid);
    },
    async putVcard(jid, xml) {
      try {
        await store.vcards.put(jid, xml);
        // A get of this owner later in the batch found no vCard when the batch was read, so it has
        // no totals yet: the rare set-then-get in one batch costs one more query.
        if (pairedWanted.has(jid) && !pairedTotals.has(jid)) {
          const read = totalsWanted.has(jid) ? totals : await store.onlineTime.getMany([jid]);
          pairedTotals.set(jid, read.get(jid));
        }
      } catch (err) {
        throw storeFailure(err);
      }
      view.set(jid, xml);
      known.add(jid);
    },
  };
}
