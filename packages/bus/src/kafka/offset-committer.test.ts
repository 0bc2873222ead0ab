import type { EachBatchPayload } from 'kafkajs';
import { describe, expect, it } from 'vitest';

import { createOffsetCommitter } from './offset-committer.js';

type Commit = Parameters<EachBatchPayload['commitOffsetsIfNecessary']>[0];

function fakePayload(commits: Commit[]): EachBatchPayload {
  return {
    commitOffsetsIfNecessary: (offsets: Commit) => {
      commits.push(offsets);
      return Promise.resolve();
    },
  } as unknown as EachBatchPayload;
}

describe('createOffsetCommitter', () => {
  it('when the interval is 0, then every handled batch is committed at once', async () => {
    const commits: Commit[] = [];
    const committer = createOffsetCommitter(0);
    await committer.handled(fakePayload(commits), 't', 0, '5');
    await committer.handled(fakePayload(commits), 't', 1, '7');
    expect(commits).toEqual([
      { topics: [{ topic: 't', partitions: [{ partition: 0, offset: '5' }] }] },
      { topics: [{ topic: 't', partitions: [{ partition: 1, offset: '7' }] }] },
    ]);
    expect(committer.drain()).toEqual([]);
  });

  it('when an interval is set, then offsets wait and go together, the latest per partition', async () => {
    let clock = 1_000;
    const commits: Commit[] = [];
    const committer = createOffsetCommitter(500, () => clock);
    await committer.handled(fakePayload(commits), 't', 0, '5');
    await committer.handled(fakePayload(commits), 't', 0, '9');
    await committer.handled(fakePayload(commits), 'u', 2, '3');
    expect(commits).toEqual([]);
    clock += 500;
    await committer.handled(fakePayload(commits), 't', 1, '4');
    expect(commits).toEqual([
      {
        topics: [
          {
            topic: 't',
            partitions: [
              { partition: 0, offset: '9' },
              { partition: 1, offset: '4' },
            ],
          },
          { topic: 'u', partitions: [{ partition: 2, offset: '3' }] },
        ],
      },
    ]);
    expect(committer.drain()).toEqual([]);
  });

  it('when partitions are revoked, then their pending offsets are dropped; the rest are drained at stop', async () => {
    const commits: Commit[] = [];
    const committer = createOffsetCommitter(60_000, () => 0);
    await committer.handled(fakePayload(commits), 't', 0, '5');
    await committer.handled(fakePayload(commits), 't', 1, '6');
    committer.retain([{ topic: 't', partitions: [1] }]);
    expect(committer.drain()).toEqual([{ topic: 't', partition: 1, offset: '6' }]);
    expect(committer.drain()).toEqual([]);
    expect(commits).toEqual([]);
  });
});
