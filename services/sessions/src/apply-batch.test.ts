import { createMemoryStore, type Store } from '@onlinetime/store';
import { beforeEach, describe, expect, it } from 'vitest';

import { applyBatch } from './apply-batch.js';
import type { DecodedMessage } from './decode-batch.js';
import { balance, started, stopped } from './testing/events.js';

const KEY = { groupId: 'g', topic: 'xmpp.sessions', partition: 0 };
const A = { sessionId: 'sa', jid: 'ann@example.com/phone' };
const B = { sessionId: 'sb', jid: 'ann@example.com/laptop' };
const C = { sessionId: 'sc', jid: 'bob@example.com/desk' };

let store: Store;
let offset: bigint;

beforeEach(() => {
  store = createMemoryStore();
  offset = 0n;
});

function messages(events: DecodedMessage['event'][]): DecodedMessage[] {
  return events.map((event) => ({ offset: offset++, event }));
}

async function run(batch: DecodedMessage[], last = batch.at(-1)?.offset ?? 0n) {
  return store.accounting.inPartitionTransaction(KEY, (tx) => applyBatch(tx, batch, last));
}

describe('applyBatch', () => {
  it('writes the net effect of a batch: totals, open sessions, session log and the next offset', async () => {
    const result = await run(
      messages([
        started(A, 1_000),
        started(B, 2_000),
        stopped(B, 5_000),
        started(C, 3_000),
        stopped(A, 9_000),
        started(B, 9_500),
      ]),
    );
    expect(result).toMatchObject({
      applied: 5,
      unchanged: 1,
      skipped: 0,
      nextOffset: 6n,
      storedOffset: null,
    });
    const totals = await store.onlineTime.getMany(['ann@example.com', 'bob@example.com']);
    expect(totals.get('ann@example.com')).toMatchObject({
      totalMs: 8_000,
      onlineSince: null,
      lastLogin: 2_000,
      lastLogout: 9_000,
    });
    expect(totals.get('bob@example.com')).toMatchObject({ totalMs: 0, onlineSince: 3_000 });
    // B opened and closed inside the batch: never an open session, one log row; its late restart ignored.
    expect(await store.accounting.openBoots()).toEqual([{ edgeId: 'edge-1', bootId: 'boot-1', sessions: 1 }]);
    expect((await store.accounting.openSessionsOfBoot('edge-1', 'boot-1')).map((s) => s.sessionId)).toEqual([
      'sc',
    ]);
    expect((await store.accounting.sessionLog('ann@example.com', 10)).map((s) => s.sessionId).sort()).toEqual(
      ['sa', 'sb'],
    );
    await store.accounting.inPartitionTransaction(KEY, async (tx) => expect(tx.storedOffset).toBe('6'));
  });

  it('continues state across batches and ignores a stop repeated in a later batch', async () => {
    await run(messages([started(A, 0), balance('ann@example.com', 60_000)]));
    await run(messages([started(B, 500), stopped(A, 1_000)]));
    await run(messages([stopped(B, 4_000), stopped(A, 99_000), started(A, 0)]));
    const totals = await store.onlineTime.getMany(['ann@example.com']);
    expect(totals.get('ann@example.com')).toMatchObject({
      totalMs: 64_000,
      onlineSince: null,
      balanceMs: 60_000,
    });
    expect(await store.accounting.openBoots()).toEqual([]);
  });

  it('remembers a tombstone so a start arriving in a later batch is ignored', async () => {
    await run(messages([stopped(A, 5_000)]));
    const second = await run(messages([started(A, 1_000), stopped(A, 8_000)]));
    expect(second).toMatchObject({ applied: 0, unchanged: 2 });
    const totals = await store.onlineTime.getMany(['ann@example.com']);
    expect(totals.get('ann@example.com')?.totalMs ?? 0).toBe(0);
    expect(await store.accounting.openBoots()).toEqual([]);
  });

  it('skips messages below the stored offset when a batch is delivered again', async () => {
    const batch = messages([started(A, 0), stopped(A, 10_000)]);
    await run(batch);
    const again = await run(batch);
    expect(again).toMatchObject({ skipped: 2, applied: 0, nextOffset: null });
    // A redelivery overlapping new messages applies only the new ones.
    const more = messages([started(B, 20_000), stopped(B, 25_000)]);
    const overlap = await run([...batch, ...more]);
    expect(overlap).toMatchObject({ skipped: 2, applied: 2, nextOffset: 4n });
    expect((await store.onlineTime.getMany(['ann@example.com'])).get('ann@example.com')?.totalMs).toBe(
      15_000,
    );
  });

  it('records the offset of a batch whose last messages were invalid', async () => {
    const batch = messages([started(A, 0)]);
    const result = await run(batch, 4n);
    expect(result.nextOffset).toBe(5n);
    await store.accounting.inPartitionTransaction(KEY, async (tx) => expect(tx.storedOffset).toBe('5'));
  });
});
