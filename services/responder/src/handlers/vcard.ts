/**
 * XEP-0054 vcard-temp, with the online time added to every vCard returned
 * (spec/onlinetime-protocol.md, part 2). https://xmpp.org/extensions/xep-0054.html
 */
import { minutesOnline } from '@onlinetime/accounting';
import { StanzaError } from '@onlinetime/errors';
import { NS } from '@onlinetime/stanza';

import type { IqHandler } from '../iq-handler.js';
import { el, parseXml, removeElementsNamed, serialize, type Element } from '../xml.js';
import { createParsedVcardCache } from './vcard-cache.js';

export const YB_ONLINETIME = 'YB_ONLINETIME';
/** Stored vCards were bounded when written; these limits only guard against a corrupt row. */
const STORED_LIMITS = { maxBytes: 16 * 1024 * 1024, maxDepth: 64 };
const NO_STATISTICS = { totalMs: 0, onlineSince: null };
/** Parsed vCards kept per responder: about 20 MiB of XML text at most, plus its parsed form. */
const CACHE = { maxEntries: 20_000, maxChars: 10 * 1024 * 1024 };

export interface VcardHandlerOptions {
  /** Largest vCard stored, in UTF-8 bytes of its XML (after YB_ONLINETIME is stripped). */
  readonly maxBytes: number;
}

/** `<vCard xmlns='vcard-temp'>` with the given one's other attributes and children, and no YB_ONLINETIME at any depth. */
function cleaned(vcard: Element): Element {
  const { xmlns: _ignored, ...attrs } = vcard.attrs as Record<string, string>;
  const copy = el('vCard', { ...attrs, xmlns: NS.vcard });
  copy.children = vcard.children;
  for (const child of copy.children) if (typeof child !== 'string') child.parent = copy;
  removeElementsNamed(copy, YB_ONLINETIME);
  return copy;
}

function parseStored(jid: string, stored: string): Element {
  const parsed = parseXml(stored, STORED_LIMITS);
  if (!parsed.is('vCard', NS.vcard)) throw new Error(`stored vCard of ${jid} is not a vcard-temp vCard`);
  return cleaned(parsed);
}

export function createVcardHandler(options: VcardHandlerOptions): IqHandler {
  const cache = createParsedVcardCache(CACHE);
  return {
    namespace: NS.vcard,
    element: 'vCard',
    spec: 'XEP-0054',
    needs: ({ type, target }) =>
      type === 'get' && target.kind === 'user' ? { vcardsWithTotals: [target.jid] } : {},
    get({ target }, lookup) {
      if (target.kind !== 'user') throw new StanzaError('service-unavailable', 'cancel');
      const stored = lookup.vcard(target.jid);
      // No stored vCard (or no such user): an empty result, without the online time (spec example 4).
      if (stored === undefined) return null;
      const shared = cache.get(stored, () => parseStored(target.jid, stored));
      const minutes = minutesOnline(lookup.totals(target.jid) ?? NO_STATISTICS, lookup.now);
      // A fresh <vCard/> over the cached children: the cached element itself is never changed.
      const vcard = el('vCard', shared.attrs as Record<string, string>);
      vcard.children = [...shared.children, el(YB_ONLINETIME, {}, String(minutes))];
      return vcard;
    },
    async set({ target, payload }, lookup) {
      if (target.kind !== 'user' || !target.self) throw new StanzaError('forbidden', 'auth');
      const xml = serialize(cleaned(payload));
      if (Buffer.byteLength(xml, 'utf8') > options.maxBytes) {
        throw new StanzaError('not-acceptable', 'modify', `vCard larger than ${options.maxBytes} bytes`);
      }
      await lookup.putVcard(target.jid, xml);
      return null;
    },
  };
}
