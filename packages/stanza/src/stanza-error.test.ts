import { StanzaError } from '@onlinetime/errors';
import { describe, expect, it } from 'vitest';

import { parseElement } from './parse-element.js';
import { errorElement, stanzaErrorReply } from './stanza-error.js';
import { streamErrorElement, streamHeader } from './stream-error.js';

describe('stanza errors', () => {
  it('builds the RFC 6120 §8.3.2 error element', () => {
    expect(errorElement({ condition: 'service-unavailable', type: 'cancel' }).toString()).toBe(
      '<error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error>',
    );
    expect(errorElement({ condition: 'bad-request', type: 'modify', text: 'a<b' }).toString()).toBe(
      '<error type="modify"><bad-request xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/>' +
        '<text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas" xml:lang="en">a&lt;b</text></error>',
    );
  });

  it('answers an IQ with swapped addresses, the same id and the payload echoed', () => {
    const request = parseElement(
      "<iq type='get' id='q1' from='a@x/r' to='b@x'><query xmlns='urn:example'><k>v</k></query></iq>",
    );
    expect(stanzaErrorReply(request, new StanzaError('service-unavailable', 'cancel')).toString()).toBe(
      '<iq type="error" id="q1" from="b@x" to="a@x/r"><query xmlns="urn:example"><k>v</k></query>' +
        '<error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>',
    );
    expect(request.toString()).toContain('<k>v</k>'); // the request is left intact
  });

  it('does not echo message bodies and honours explicit addresses', () => {
    const request = parseElement("<message id='m' to='b@x'><body>secret</body></message>");
    expect(
      stanzaErrorReply(
        request,
        { condition: 'service-unavailable', type: 'cancel' },
        { to: 'a@x/r' },
      ).toString(),
    ).toBe(
      '<message type="error" id="m" from="b@x" to="a@x/r"><error type="cancel">' +
        '<service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></message>',
    );
  });
});

describe('stream errors and headers', () => {
  it('builds <stream:error/>', () => {
    expect(streamErrorElement('not-well-formed', 'x').toString()).toBe(
      '<stream:error><not-well-formed xmlns="urn:ietf:params:xml:ns:xmpp-streams"/>' +
        '<text xmlns="urn:ietf:params:xml:ns:xmpp-streams" xml:lang="en">x</text></stream:error>',
    );
  });

  it('escapes header attributes', () => {
    expect(streamHeader({ from: 'localhost', id: "a'b" })).toBe(
      "<?xml version='1.0'?><stream:stream from='localhost' id='a&#39;b' version='1.0' xml:lang='en' " +
        "xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>",
    );
  });
});
