/** The contract between the router and one handler per protocol (style-anchors.md §4). */
import type { UserTotals } from '@onlinetime/store';

import type { Element } from './xml.js';

/** Whom an IQ is addressed to, already resolved against the served domains by the router. */
export type IqTarget =
  /** A local user's bare JID (normalised); `self` when it is the requester (or `to` was absent). */
  | { readonly kind: 'user'; readonly jid: string; readonly self: boolean }
  /** One of the served domains. */
  | { readonly kind: 'server'; readonly domain: string };

export interface HandlerRequest {
  readonly id: string;
  readonly type: 'get' | 'set';
  /** Requester's full JID, stamped by the edge (never the client's claim). */
  readonly from: string;
  /** `to` as addressed; undefined when absent. */
  readonly to: string | undefined;
  readonly target: IqTarget;
  /** The single child element of the IQ. */
  readonly payload: Element;
}

/** What a handler will look up for a request; the batch fetches everything with one query per kind. */
export interface Prefetch {
  readonly totals?: readonly string[];
  readonly vcards?: readonly string[];
  /** vCards, and their owners' totals where a vCard is stored: one query for a vCard get. */
  readonly vcardsWithTotals?: readonly string[];
}

/** Batch-scoped lookups: prefetched reads plus write-through vCard sets, in request order. */
export interface BatchLookup {
  /** The batch clock (epoch ms): every reply of a batch is computed at the same instant. */
  readonly now: number;
  /** When the responder started (epoch ms): the server's uptime is `now - startedAt`. */
  readonly startedAt: number;
  /**
   * Online totals of a JID prefetched in `totals`, or in `vcardsWithTotals` once its vCard is known
   * to exist; undefined when the user has no row.
   */
  totals(jid: string): UserTotals | undefined;
  /** Stored vCard XML of a prefetched JID as seen at this point of the batch. */
  vcard(jid: string): string | undefined;
  /** Stores a vCard and makes later requests of the batch see it. */
  putVcard(jid: string, xml: string): Promise<void>;
}

/** An Element is the result payload; null is an empty result; a thrown StanzaError is an error reply. */
export type IqMethod = (
  request: HandlerRequest,
  lookup: BatchLookup,
) => Promise<Element | null> | Element | null;

export interface IqHandler {
  readonly namespace: string;
  readonly element: string;
  /** RFC/XEP implemented, for documentation. */
  readonly spec?: string;
  needs?(request: HandlerRequest): Prefetch;
  readonly get?: IqMethod;
  readonly set?: IqMethod;
}
