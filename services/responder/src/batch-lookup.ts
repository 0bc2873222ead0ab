/** The lookups of one batch: one query per kind for the whole batch, then a batch-local view. */
import { isOnlinetimeError, OnlinetimeError } from '@onlinetime/errors';
import type { UserTotals, VcardsRepository, OnlineTimeRepository } from '@onlinetime/store';

import type { BatchLookup, Prefetch } from './iq-handler.js';

export interface LookupStore {
  readonly vcards: Pick<VcardsRepository, 'getMany' | 'put'>;
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
 * Runs at most one onlineTime.getMany and one vcards.getMany for all `needs`. A failed read fails
 * the whole batch (the bus delivers it again): no IQ of it can be answered right.
 */
export async function createBatchLookup(deps: {
  store: LookupStore;
  needs: readonly Prefetch[];
  now: number;
  startedAt: number;
}): Promise<BatchLookup> {
  const { store, now, startedAt } = deps;
  const totalsWanted = new Set(deps.needs.flatMap((n) => n.totals ?? []));
  const vcardsWanted = new Set(deps.needs.flatMap((n) => n.vcards ?? []));
  let totals: Map<string, UserTotals>;
  let vcards: Map<string, string>;
  try {
    [totals, vcards] = await Promise.all([
      totalsWanted.size === 0 ? new Map<string, UserTotals>() : store.onlineTime.getMany([...totalsWanted]),
      vcardsWanted.size === 0 ? new Map<string, string>() : store.vcards.getMany([...vcardsWanted]),
    ]);
  } catch (err) {
    throw storeFailure(err);
  }
  // A vCard set makes its owner's vCard known for the rest of the batch.
  const view = new Map(vcards);
  const known = new Set(vcardsWanted);

  const require = (wanted: Set<string>, jid: string, kind: string): void => {
    if (!wanted.has(jid))
      throw new Error(`${kind} of ${jid} was not prefetched (missing in the handler's needs)`);
  };

  return {
    now,
    startedAt,
    totals(jid) {
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
      } catch (err) {
        throw storeFailure(err);
      }
      view.set(jid, xml);
      known.add(jid);
    },
  };
}
