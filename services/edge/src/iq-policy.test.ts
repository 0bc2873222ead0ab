import { parseElement } from '@onlinetime/stanza';
import { describe, expect, it } from 'vitest';

import { decideIq, type IqTarget } from './iq-policy.js';

const server: IqTarget = { kind: 'server' };
const own: IqTarget = { kind: 'account', own: true };
const other: IqTarget = { kind: 'account', own: false };
const resource: IqTarget = { kind: 'resource' };

function decide(type: 'get' | 'set', payload: string, target: IqTarget): string {
  const action = decideIq(type, parseElement(payload), target);
  if (action.do === 'error') return `error ${action.condition}/${action.type}`;
  if (action.do === 'result') return `result ${action.payload?.toString() ?? ''}`.trim();
  return 'publish';
}

describe('decideIq', () => {
  const ping = "<ping xmlns='urn:xmpp:ping'/>";
  const info = "<query xmlns='http://jabber.org/protocol/disco#info'/>";
  const items = "<query xmlns='http://jabber.org/protocol/disco#items'/>";
  const cases: Array<[string, 'get' | 'set', string, IqTarget, string]> = [
    ['ping the server', 'get', ping, server, 'result'],
    ['ping with no to', 'get', ping, own, 'result'],
    ['ping another user', 'get', ping, other, 'error service-unavailable/cancel'],
    ['ping a full JID', 'get', ping, resource, 'error service-unavailable/cancel'],
    ['ping set', 'set', ping, server, 'error service-unavailable/cancel'],
    ['session set', 'set', "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'/>", server, 'result'],
    [
      'bind again',
      'set',
      "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>",
      own,
      'error not-allowed/cancel',
    ],
    ['disco#info of another user', 'get', info, other, 'error service-unavailable/cancel'],
    [
      'disco#info node of the server',
      'get',
      "<query xmlns='http://jabber.org/protocol/disco#info' node='x'/>",
      server,
      'error item-not-found/cancel',
    ],
    [
      'disco#items of the server',
      'get',
      items,
      server,
      'result <query xmlns="http://jabber.org/protocol/disco#items"/>',
    ],
    [
      'disco#items of a user',
      'get',
      items,
      other,
      'result <query xmlns="http://jabber.org/protocol/disco#items"/>',
    ],
    [
      'roster get',
      'get',
      "<query xmlns='jabber:iq:roster'/>",
      own,
      'result <query xmlns="jabber:iq:roster"/>',
    ],
    ['roster set', 'set', "<query xmlns='jabber:iq:roster'/>", own, 'error service-unavailable/cancel'],
    ['own vCard', 'get', "<vCard xmlns='vcard-temp'/>", own, 'publish'],
    ['vCard set', 'set', "<vCard xmlns='vcard-temp'/>", own, 'publish'],
    ["another user's vCard", 'get', "<vCard xmlns='vcard-temp'/>", other, 'publish'],
    ['vCard of the server', 'get', "<vCard xmlns='vcard-temp'/>", server, 'error service-unavailable/cancel'],
    [
      'vCard of a full JID',
      'get',
      "<vCard xmlns='vcard-temp'/>",
      resource,
      'error service-unavailable/cancel',
    ],
    ['online time (youbao)', 'get', "<query xmlns='youbao:xmpp:onlinetime'/>", other, 'publish'],
    ['online time (guoguo)', 'get', "<query xmlns='guoguo:xmpp:onlinetime'/>", own, 'publish'],
    ['last activity of the server', 'get', "<query xmlns='jabber:iq:last'/>", server, 'publish'],
    ['last activity of a user', 'get', "<query xmlns='jabber:iq:last'/>", other, 'publish'],
    ['unknown namespace', 'get', "<query xmlns='urn:example'/>", server, 'error service-unavailable/cancel'],
    ['private storage', 'get', "<query xmlns='jabber:iq:private'/>", own, 'error service-unavailable/cancel'],
  ];
  for (const [name, type, payload, target, expected] of cases) {
    it(`${name} -> ${expected.split(' ')[0]}`, () => expect(decide(type, payload, target)).toBe(expected));
  }

  it('lists every served feature in the server disco#info', () => {
    const result = decide('get', info, server);
    for (const feature of [
      'http://jabber.org/protocol/disco#info',
      'urn:xmpp:ping',
      'vcard-temp',
      'jabber:iq:last',
      'youbao:xmpp:onlinetime',
      'guoguo:xmpp:onlinetime',
    ]) {
      expect(result).toContain(`<feature var="${feature}"/>`);
    }
    expect(result).toContain('<identity category="server" type="im"');
  });
});
