import { createEmbeddedBus } from '@onlinetime/bus';
import { OnlinetimeError } from '@onlinetime/errors';
import { describe, expect, it } from 'vitest';

import { createReplyTopics } from './reply-topics.js';

describe('reply topics', () => {
  it('when topics exist, are missing or cannot be named, then only the existing are returned, and known ones are not asked again', async () => {
    const bus = createEmbeddedBus();
    await bus.ensureTopics([{ topic: 'xmpp.edge.a', partitions: 1, retentionMs: -1 }]);
    const asked: string[] = [];
    const topics = createReplyTopics({
      describeTopics: (names) => (asked.push(...names), bus.describeTopics(names)),
    });

    expect(await topics.existing(['xmpp.edge.a', 'xmpp.edge.b', 'xmpp.edge.bad name/'])).toEqual(
      new Set(['xmpp.edge.a']),
    );
    expect(await topics.existing(['xmpp.edge.a'])).toEqual(new Set(['xmpp.edge.a']));
    expect(asked).toEqual(['xmpp.edge.a', 'xmpp.edge.b', 'xmpp.edge.bad name/']);
    topics.forget(['xmpp.edge.a']);
    await topics.existing(['xmpp.edge.a']);
    expect(asked).toHaveLength(4);
    await bus.stop();
  });

  it('when describing fails otherwise (broker down), then the failure propagates', async () => {
    const down = new OnlinetimeError('BUS_ADMIN_FAILED', 'down', { retriable: true });
    const topics = createReplyTopics({ describeTopics: () => Promise.reject(down) });

    await expect(topics.existing(['xmpp.edge.a'])).rejects.toBe(down);
  });
});
