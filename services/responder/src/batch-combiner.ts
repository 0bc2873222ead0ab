/**
 * Gathers the partition batches of one fetch into one unit of work. KafkaJS hands the batches of a
 * fetch to its workers in the same turn of the event loop, and fetches again only when all are
 * done; answering them one by one would cost a lookup and a publish round trip each, in turn.
 * Handled together (one lookup per kind, one publish), a fetch costs one of each.
 */
export function createBatchCombiner<T>(
  handle: (items: readonly T[]) => Promise<void>,
): (item: T) => Promise<void> {
  let pending: Array<{ item: T; resolve: () => void; reject: (err: unknown) => void }> = [];

  const flush = (): void => {
    const taken = pending;
    pending = [];
    handle(taken.map((p) => p.item)).then(
      () => {
        for (const p of taken) p.resolve();
      },
      (err: unknown) => {
        for (const p of taken) p.reject(err);
      },
    );
  };

  return (item) =>
    new Promise<void>((resolve, reject) => {
      // setImmediate runs after the promise jobs of this turn: every batch of the fetch is in.
      if (pending.length === 0) setImmediate(flush);
      pending.push({ item, resolve, reject });
    });
}
