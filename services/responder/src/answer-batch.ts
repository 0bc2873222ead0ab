/** Answers one batch of iq.request messages: decode, parse, route, look up once, run in order. */
import type { BusMessage } from '@onlinetime/bus';
import { EventDecodeError, StanzaError } from '@onlinetime/errors';
import { bareJid, decodeEventOfTypes, type IqRequest } from '@onlinetime/events';
import type { Logger } from '@onlinetime/logging';

import { createBatchLookup, type LookupStore } from './batch-lookup.js';
import { errorReply } from './reply.js';
import type { ResponderMetrics } from './responder-metrics.js';
import type { IqPlan, Router } from './router.js';
import { parseXml, serialize, XmlInputError, type XmlLimits } from './xml.js';

export interface OutgoingReply {
  readonly edgeId: string;
  readonly sessionId: string;
  readonly stanza: string;
}

export interface AnswerBatchDeps {
  readonly router: Router;
  readonly store: LookupStore;
  readonly logger: Logger;
  readonly metrics: ResponderMetrics;
  readonly now: number;
  readonly startedAt: number;
  readonly stanzaLimits: XmlLimits;
}

type Payload = IqRequest['payload'];

function decode(message: BusMessage, deps: AnswerBatchDeps): Payload | null {
  try {
    return decodeEventOfTypes(message.value, ['iq.request']).payload;
  } catch (err) {
    if (!(err instanceof EventDecodeError)) throw err;
    const { topic, partition, offset } = message;
    deps.logger.warn({ err, topic, partition, offset }, 'invalid event skipped');
    deps.metrics.invalid('event');
    return null;
  }
}

/** A plan for the request, or one that answers the stanza error when the stanza itself is unusable. */
function planFor(request: Payload, deps: AnswerBatchDeps): IqPlan {
  const address = { id: request.id, from: request.from, to: request.to };
  let refusal: StanzaError;
  let detail: string;
  try {
    const iq = parseXml(request.stanza, deps.stanzaLimits);
    if (iq.name === 'iq') return deps.router.plan({ ...address, type: request.type, iq });
    refusal = new StanzaError('bad-request', 'modify');
    detail = `<${iq.name}/> is not an iq`;
  } catch (err) {
    if (!(err instanceof XmlInputError)) throw err;
    refusal =
      err.reason === 'too-large'
        ? new StanzaError('not-acceptable', 'modify', 'stanza too large')
        : new StanzaError('bad-request', 'modify');
    detail = err.message;
  }
  const iq = { id: request.id, from: bareJid(request.from) };
  deps.logger.warn({ iq, condition: refusal.condition, detail }, 'unusable iq stanza');
  deps.metrics.invalid('stanza');
  return {
    route: '-',
    needs: {},
    run: () => Promise.resolve({ reply: errorReply(address, refusal), outcome: 'error' }),
  };
}

/**
 * Replies in request order. Throws (a retriable error) when the store fails: nothing of the batch
 * is published then, and the bus delivers the batch again.
 */
export async function answerBatch(
  messages: readonly BusMessage[],
  deps: AnswerBatchDeps,
): Promise<OutgoingReply[]> {
  const requests = messages.map((m) => decode(m, deps)).filter((r): r is Payload => r !== null);
  const plans = requests.map((request) => planFor(request, deps));
  const lookup = await createBatchLookup({
    store: deps.store,
    needs: plans.map((p) => p.needs),
    now: deps.now,
    startedAt: deps.startedAt,
  });
  const replies: OutgoingReply[] = [];
  const debug = deps.logger.isLevelEnabled('debug');
  for (const [index, plan] of plans.entries()) {
    const request = requests[index] as Payload;
    const { reply, outcome } = await plan.run(lookup);
    deps.metrics.iq(plan.route, request.type, outcome);
    // Checked first: building the log object for every IQ cost more than the level check.
    if (debug)
      deps.logger.debug(
        { iq: { id: request.id, type: request.type, route: plan.route }, outcome },
        'iq answered',
      );
    replies.push({ edgeId: request.edgeId, sessionId: request.sessionId, stanza: serialize(reply) });
  }
  return replies;
}
