/** XEP-0012 Last Activity, from the same data as the online time. https://xmpp.org/extensions/xep-0012.html */
import { StanzaError } from '@onlinetime/errors';
import { NS } from '@onlinetime/stanza';

import type { IqHandler } from '../iq-handler.js';
import { el } from '../xml.js';

function query(ms: number) {
  return el('query', { xmlns: NS.last, seconds: Math.max(0, Math.floor(ms / 1000)) });
}

/**
 * To the server: its uptime. To a user's bare JID: seconds since their last logout, 0 while online.
 * No data and no such user get the same service-unavailable, so accounts cannot be harvested.
 */
export function createLastActivityHandler(): IqHandler {
  return {
    namespace: NS.last,
    element: 'query',
    spec: 'XEP-0012',
    needs: ({ target }) => (target.kind === 'user' ? { totals: [target.jid] } : {}),
    get({ target }, lookup) {
      if (target.kind === 'server') return query(lookup.now - lookup.startedAt);
      const totals = lookup.totals(target.jid);
      if (totals?.onlineSince != null) return query(0);
      if (totals?.lastLogout == null) throw new StanzaError('service-unavailable', 'cancel');
      return query(lookup.now - totals.lastLogout);
    },
    set() {
      throw new StanzaError('not-allowed', 'cancel');
    },
  };
}
