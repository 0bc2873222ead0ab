/**
 * Routes an IQ get/set to the handler registered for (namespace, element) of its only child, and
 * turns whatever happens into exactly one reply (RFC 6120 §8.2.3). Model: xmpp.js iq/callee.js and
 * ejabberd gen_iq_handler.erl.
 */
import { OnlinetimeError, StanzaError } from '@onlinetime/errors';
import type { Logger } from '@onlinetime/logging';

import type { BatchLookup, HandlerRequest, IqHandler, Prefetch } from './iq-handler.js';
import { errorReply, resultReply, type ReplyAddress } from './reply.js';
import { resolveTarget } from './target.js';
import type { Element } from './xml.js';

/** An IQ as the router receives it: addressing from the edge-stamped event, the parsed `<iq/>`. */
export interface RoutedIq extends ReplyAddress {
  readonly type: 'get' | 'set';
  readonly iq: Element;
}

/** Outcome labels for metrics. */
export type IqOutcome = 'result' | 'error' | 'internal-error';

/** A routed IQ, ready to run once the batch has fetched what it needs. */
export interface IqPlan {
  /** `namespace element` of the handler, or `-` when none was found (for metrics and logs). */
  readonly route: string;
  readonly needs: Prefetch;
  /** Resolves to the reply. Rejects only with a retriable OnlinetimeError (the store is down). */
  run(lookup: BatchLookup): Promise<{ reply: Element; outcome: IqOutcome }>;
}

export interface Router {
  plan(request: RoutedIq): IqPlan;
}

const NOTHING: Prefetch = {};

function keyOf(namespace: string, element: string): string {
  return `${namespace} ${element}`;
}

export function createRouter(deps: {
  handlers: readonly IqHandler[];
  domains: Iterable<string>;
  logger: Logger;
}): Router {
  const { logger } = deps;
  const domains = new Set([...deps.domains].map((d) => d.toLowerCase()));
  const table = new Map<string, IqHandler>();
  for (const handler of deps.handlers) {
    const key = keyOf(handler.namespace, handler.element);
    if (table.has(key)) throw new OnlinetimeError('IQ_HANDLER_DUPLICATE', `two IQ handlers for ${key}`);
    table.set(key, handler);
  }

  const fail = (request: RoutedIq, route: string, error: StanzaError): IqPlan => ({
    route,
    needs: NOTHING,
    run: () => Promise.resolve({ reply: errorReply(request, error), outcome: 'error' }),
  });

  const internal = (
    request: RoutedIq,
    route: string,
    err: unknown,
  ): { reply: Element; outcome: IqOutcome } => {
    logger.error({ err, iq: { id: request.id, type: request.type, route } }, 'iq handler failed');
    return {
      reply: errorReply(request, new StanzaError('internal-server-error', 'cancel')),
      outcome: 'internal-error',
    };
  };

  return {
    plan(request) {
      const children = request.iq.getChildElements();
      const payload = children[0];
      if (children.length !== 1 || payload === undefined) {
        return fail(request, '-', new StanzaError('bad-request', 'modify'));
      }
      const route = keyOf(payload.getNS() ?? '', payload.getName());
      const handler = table.get(route);
      const method = handler?.[request.type];
      if (handler === undefined || method === undefined) {
        return fail(
          request,
          handler === undefined ? '-' : route,
          new StanzaError('service-unavailable', 'cancel'),
        );
      }
      let call: HandlerRequest;
      let needs: Prefetch;
      try {
        const target = resolveTarget(request.from, request.to, domains);
        call = { id: request.id, type: request.type, from: request.from, to: request.to, target, payload };
        needs = handler.needs?.(call) ?? NOTHING;
      } catch (err) {
        if (err instanceof StanzaError) return fail(request, route, err);
        return { route, needs: NOTHING, run: () => Promise.resolve(internal(request, route, err)) };
      }
      return {
        route,
        needs,
        async run(lookup) {
          try {
            const result = await method(call, lookup);
            return { reply: resultReply(request, result), outcome: 'result' };
          } catch (err) {
            if (err instanceof StanzaError) return { reply: errorReply(request, err), outcome: 'error' };
            // The store is down: the batch must fail so the bus redelivers it; never answer wrongly.
            if (err instanceof OnlinetimeError && err.retriable) throw err;
            return internal(request, route, err);
          }
        },
      };
    },
  };
}
