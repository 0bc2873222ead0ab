/** Helpers to drive a responder through a bus in tests (excluded from the build). */
import { randomBytes } from 'node:crypto';

import type { Bus, OutgoingRecord } from '@onlinetime/bus';
import { createEvent, decodeEventOfTypes, encodeEvent, iqKey } from '@onlinetime/events';

export function unique(prefix: string): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}

export interface IqRequestFields {
  readonly edgeId: string;
  readonly sessionId: string;
  /** Requester's full JID (what the edge stamps). */
  readonly from: string;
  readonly to?: string;
  readonly id: string;
  readonly type: 'get' | 'set';
  /** The `<iq/>` text; built from the other fields and `child` when absent. */
  readonly stanza?: string;
  readonly child?: string;
}

const escapeAttr = (v: string): string =>
  v.replace(/&/g, '&amp;').replace(/'/g, '&apos;').replace(/</g, '&lt;');

/** An iq.request record as the edge publishes it (keyed by the sender's bare JID). */
export function iqRequestRecord(fields: IqRequestFields): OutgoingRecord {
  const to = fields.to === undefined ? '' : ` to='${escapeAttr(fields.to)}'`;
  const stanza =
    fields.stanza ??
    `<iq xmlns='jabber:client' type='${fields.type}' id='${escapeAttr(fields.id)}' from='${escapeAttr(fields.from)}'${to}>${fields.child ?? ''}</iq>`;
  const payload = {
    edgeId: fields.edgeId,
    sessionId: fields.sessionId,
    from: fields.from,
    ...(fields.to === undefined ? {} : { to: fields.to }),
    id: fields.id,
    type: fields.type,
    stanza,
  };
  return {
    key: iqKey(fields.from),
    value: encodeEvent(createEvent('iq.request', payload, { source: fields.edgeId })),
  };
}

export interface ReplyCollector {
  /** iq.reply events in arrival order. */
  readonly replies: Array<{ key: string | null; sessionId: string; stanza: string; source: string }>;
  stop(): Promise<void>;
}

/** Subscribes to an edge reply topic (as the edge does) and collects every iq.reply. */
export async function collectReplies(bus: Bus, topic: string): Promise<ReplyCollector> {
  const replies: ReplyCollector['replies'] = [];
  const subscription = await bus.subscribe({
    groupId: unique('test-edge-'),
    topics: [topic],
    fromBeginning: true,
    handleBatch: async (batch) => {
      for (const message of batch.messages) {
        const event = decodeEventOfTypes(message.value, ['iq.reply']);
        replies.push({ key: message.key, source: event.source, ...event.payload });
      }
    },
  });
  return { replies, stop: () => subscription.stop() };
}

/** Polls until `check` holds; fails naming `what` after timeoutMs. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
