import { StreamError } from '@onlinetime/errors';
import { describe, expect, it } from 'vitest';

import { parseElement } from './parse-element.js';
import { parseRawElement, withRootAttributes } from './raw-element.js';

const conditionOf = (f: () => unknown): string => {
  try {
    f();
    return 'accepted';
  } catch (err) {
    if (!(err instanceof StreamError)) throw err;
    return err.condition;
  }
};

describe('parseRawElement', () => {
  const good = [
    "<iq type='result' id='1'><q xmlns='n'>&amp;</q></iq>",
    '<iq id="a&amp;b&lt;&gt;&quot;&apos;&#65;&#x42;" to = \'x@y/z\'\ttype\n=\n"error"/>',
    `<iq id='>/"' from="'"><vCard xmlns='vcard-temp'><![CDATA[<x/>]]><FN>é</FN></vCard></iq>`,
    "<stream:features xmlns:stream='s'><bind xmlns='b'/></stream:features>",
    '<a constructor="c" toString="t"/>',
    '<a/>',
  ];
  for (const text of good) {
    it(`reads the root of ${JSON.stringify(text.slice(0, 50))} as @xmpp/xml does, keeping the text`, () => {
      const raw = parseRawElement(`<?xml version='1.0'?>\n ${text} \n`);
      const el = parseElement(text);
      expect(raw.name).toBe(el.name);
      expect({ ...raw.attrs }).toEqual({ ...el.attrs });
      expect(Object.keys(raw.attrs)).toEqual(Object.keys(el.attrs));
      expect(raw.text).toBe(text);
    });
  }

  it('keeps an attribute named __proto__ as an attribute', () => {
    const raw = parseRawElement('<a __proto__="p"/>');
    expect(Object.keys(raw.attrs)).toEqual(['__proto__']);
    expect(raw.attrs['__proto__']).toBe('p');
    expect(withRootAttributes(raw.text, raw.attrs)).toBe('<a __proto__="p"/>');
  });

  const bad = [
    '',
    '  ',
    '<a/><b/>',
    '<a/><b',
    '<a>',
    '<a',
    '<a></b>',
    '<!DOCTYPE a><a/>',
    '<a>&e;</a>',
    '<a b="&#0;"/>',
    '<a b="1" b="2"/>',
    '<a b=1/>',
    'text',
    '<a/>text',
  ];
  for (const text of bad) {
    it(`rejects ${JSON.stringify(text)} (as strictly as parseElement)`, () => {
      const condition = conditionOf(() => parseRawElement(text));
      expect(condition).not.toBe('accepted');
      const parsed = conditionOf(() => parseElement(text));
      if (parsed !== 'accepted') expect(condition).toBe(parsed);
    });
  }

  it('applies limits', () => {
    expect(conditionOf(() => parseRawElement(`<a>${'x'.repeat(100)}</a>`, { maxStanzaBytes: 50 }))).toBe(
      'policy-violation',
    );
    expect(conditionOf(() => parseRawElement('<a><b><c/></b></a>', { maxDepth: 2 }))).toBe(
      'policy-violation',
    );
  });
});

describe('withRootAttributes', () => {
  it('replaces the root attributes, written as @xmpp/xml writes them, and keeps the content as is', () => {
    const text = "<iq type='get' id='1' to='x'>\n  <q xmlns='n' a='&#65;'>&#x42;<![CDATA[<&>]]></q></iq>";
    const out = withRootAttributes(text, { type: 'get', id: '1', to: 'a&b', from: `"<'>`, gone: undefined });
    expect(out).toBe(
      '<iq type="get" id="1" to="a&amp;b" from="&quot;&lt;&apos;&gt;">' +
        "\n  <q xmlns='n' a='&#65;'>&#x42;<![CDATA[<&>]]></q></iq>",
    );
    const el = parseElement(text);
    el.attrs.to = 'a&b';
    el.attrs.from = `"<'>`;
    expect(parseElement(out).toString()).toBe(el.toString());
  });

  it('handles self-closing roots, attribute values with > and /, and no attributes', () => {
    expect(withRootAttributes("<iq id='a/>'/>", { id: 'b' })).toBe('<iq id="b"/>');
    expect(withRootAttributes("<iq id='a>' ><x/></iq>", {})).toBe('<iq><x/></iq>');
    expect(withRootAttributes('<iq>t</iq>', { to: 'u' })).toBe('<iq to="u">t</iq>');
  });

  it('gives the same text as serialising the parsed element for what @xmpp/xml wrote', () => {
    const el = parseElement(
      "<iq type='result' id='7'><vCard xmlns='vcard-temp'><FN>A &amp; B</FN></vCard></iq>",
    );
    const text = el.toString();
    el.attrs.to = 'alice@localhost/phone';
    expect(withRootAttributes(text, el.attrs)).toBe(el.toString());
  });

  it('refuses text whose start tag does not end', () => {
    expect(() => withRootAttributes('<iq id="1"', {})).toThrow(StreamError);
    expect(() => withRootAttributes('<iq id', {})).toThrow(StreamError);
  });
});
