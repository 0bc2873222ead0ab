/** The private online-time query (spec/onlinetime-protocol.md, part 1), under both namespaces. */
import { minutesOnline } from '@onlinetime/accounting';
import { StanzaError } from '@onlinetime/errors';
import { NS } from '@onlinetime/stanza';

import type { IqHandler } from '../iq-handler.js';
import { el } from '../xml.js';

const NO_STATISTICS = { totalMs: 0, onlineSince: null };

function createFor(namespace: string): IqHandler {
  return {
    namespace,
    element: 'query',
    spec: 'onlinetime-protocol part 1',
    needs: ({ target }) => (target.kind === 'user' ? { totals: [target.jid] } : {}),
    get({ target }, lookup) {
      if (target.kind !== 'user') throw new StanzaError('service-unavailable', 'cancel');
      // A user without statistics and a user that does not exist both get 0: no account harvesting.
      const minutes = minutesOnline(lookup.totals(target.jid) ?? NO_STATISTICS, lookup.now);
      return el('query', { xmlns: namespace }, el('onlinetime', {}, String(minutes)));
    },
    set() {
      throw new StanzaError('not-allowed', 'cancel', 'online time is computed by the server');
    },
  };
}

/** One handler per namespace; the reply's `<query/>` uses the namespace of the request. */
export function createOnlineTimeHandlers(): IqHandler[] {
  return [createFor(NS.onlinetimeYoubao), createFor(NS.onlinetimeGuoguo)];
}
