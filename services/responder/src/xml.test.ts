import { describe, expect, it } from 'vitest';

import { parseXml, removeElementsNamed, serialize, XmlInputError } from './xml.js';

const LIMITS = { maxBytes: 4096, maxDepth: 8 };

function reason(text: string, limits = LIMITS): string {
  try {
    parseXml(text, limits);
    return 'parsed';
  } catch (err) {
    if (err instanceof XmlInputError) return err.reason;
    throw err;
  }
}

describe('parseXml', () => {
  it('when the text is one element, then it round-trips with entities, CDATA and attributes escaped', () => {
    const root = parseXml(
      `<iq id="a&amp;b" type='get'><q xmlns='urn:x'>1 &lt; 2 &#65; <![CDATA[<raw>]]></q></iq>`,
      LIMITS,
    );

    expect(serialize(root)).toBe(
      `<iq id="a&amp;b" type="get"><q xmlns="urn:x">1 &lt; 2 A &lt;raw&gt;</q></iq>`,
    );
  });

  it.each([
    ['a DOCTYPE', `<!DOCTYPE iq [<!ENTITY a "b">]><iq/>`],
    ['a comment', `<iq><!-- x --></iq>`],
    ['a processing instruction', `<iq><?pi x?></iq>`],
    ['an undefined entity', `<iq>&lol;</iq>`],
    ['a mismatched end tag', `<iq><a></b></iq>`],
    ['an unclosed element', `<iq><a/>`],
    ['two roots', `<iq/><iq/>`],
    ['a child after the root', `<iq></iq><a/>`],
    ['text before the root', `hello<iq/>`],
    ['nothing', ``],
    ['a NUL character', `<iq>\u0000</iq>`],
    ['a lone surrogate', `<iq>\uD800</iq>`],
    ['a control character', `<iq a='\u0007'/>`],
  ])('when the text has %s, then it is refused as malformed', (_name, text) => {
    expect(reason(text)).toBe('malformed');
  });

  it('when the text starts with an XML declaration, then it parses', () => {
    expect(reason(`<?xml version='1.0'?><iq/>`)).toBe('parsed');
  });

  it('when the nesting is deeper than the limit, then malformed; at the limit it parses', () => {
    const nest = (n: number) => '<a>'.repeat(n) + '</a>'.repeat(n);

    expect(reason(nest(9))).toBe('malformed');
    expect(reason(nest(8))).toBe('parsed');
  });

  it('when the text is larger than the limit in UTF-8 bytes, then too-large', () => {
    expect(reason(`<a>${'é'.repeat(10)}</a>`, { maxBytes: 26, maxDepth: 2 })).toBe('too-large');
    expect(reason(`<a>${'é'.repeat(10)}</a>`, { maxBytes: 27, maxDepth: 2 })).toBe('parsed');
  });

  it('when deep nesting is within a large limit, then checking depth does not recurse', () => {
    const n = 50_000;

    expect(reason('<a>'.repeat(n) + '</a>'.repeat(n), { maxBytes: 8 * n, maxDepth: 32 })).toBe('malformed');
  });
});

describe('removeElementsNamed', () => {
  it('when elements of that local name are nested anywhere, then all are removed and the rest kept in order', () => {
    const root = parseXml(`<v><X>1</X><a><X/><b>k</b></a><p:X xmlns:p='u'/>t<c/></v>`, LIMITS);

    expect(removeElementsNamed(root, 'X')).toBe(3);
    expect(serialize(root)).toBe(`<v><a><b>k</b></a>t<c/></v>`);
  });
});
