import { NS, xml, type Element } from '@onlinetime/stanza';

/** Every feature the service actually answers (XEP-0030 disco#info of the server). */
export const SERVER_FEATURES = [
  NS.discoInfo,
  NS.discoItems,
  NS.ping,
  NS.vcard,
  NS.last,
  NS.onlinetimeYoubao,
  NS.onlinetimeGuoguo,
] as const;

export function serverDiscoInfo(): Element {
  return xml(
    'query',
    { xmlns: NS.discoInfo },
    xml('identity', { category: 'server', type: 'im', name: 'onlinetime' }),
    ...SERVER_FEATURES.map((f) => xml('feature', { var: f })),
  );
}

/** disco#info of the requester's own bare JID (answered by the server on the account's behalf). */
export function accountDiscoInfo(): Element {
  return xml(
    'query',
    { xmlns: NS.discoInfo },
    xml('identity', { category: 'account', type: 'registered' }),
    xml('feature', { var: NS.discoInfo }),
  );
}

export function emptyQuery(xmlns: string): Element {
  return xml('query', { xmlns });
}
