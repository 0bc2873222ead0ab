import { describe, expect, it } from 'vitest';

import type { ParserLimits } from './limits.js';
import { StreamParser } from './stream-parser.js';

const HEADER =
  "<?xml version='1.0'?><stream:stream to='localhost' version='1.0' xmlns='jabber:client' " +
  "xmlns:stream='http://etherx.jabber.org/streams'>";

interface Outcome {
  events: string[];
  stanzas: string[];
  error: string | undefined;
}

/** Feeds the input whole, byte by byte, and in 7-byte chunks; all three must agree. */
function run(input: string | Buffer, limits: Partial<ParserLimits> = {}): Outcome {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const outcomes = [bytes.length, 1, 7].map((size) => feed(bytes, size, limits));
  expect(outcomes[1]).toEqual(outcomes[0]);
  expect(outcomes[2]).toEqual(outcomes[0]);
  return outcomes[0] as Outcome;
}

function feed(bytes: Buffer, size: number, limits: Partial<ParserLimits>): Outcome {
  const parser = new StreamParser({ limits });
  const out: Outcome = { events: [], stanzas: [], error: undefined };
  parser.on('stream-start', (attrs, name) => out.events.push(`start ${name} to=${attrs.to}`));
  parser.on('stanza', (el) => {
    out.events.push(`stanza ${el.name}`);
    out.stanzas.push(el.toString());
  });
  parser.on('stream-end', () => out.events.push('end'));
  parser.on('error', (err) => {
    out.events.push(`error ${err.condition}`);
    out.error = err.condition;
  });
  for (let i = 0; i < bytes.length; i += Math.max(size, 1)) parser.write(bytes.subarray(i, i + size));
  parser.end();
  return out;
}

describe('StreamParser: well-formed streams', () => {
  it('emits the header, stanzas and the end, dropping whitespace between stanzas', () => {
    const out = run(
      `${HEADER}\n <iq type='get' id='1'><ping xmlns='urn:xmpp:ping'/></iq> \n<presence/></stream:stream>`,
    );
    expect(out.events).toEqual(['start stream:stream to=localhost', 'stanza iq', 'stanza presence', 'end']);
    expect(out.stanzas[0]).toBe('<iq type="get" id="1"><ping xmlns="urn:xmpp:ping"/></iq>');
  });

  it("gives each stanza's text exactly as received, whatever the chunking", () => {
    const stanzas = [
      "<iq type='get' id='1'><ping xmlns='urn:xmpp:ping'/></iq>",
      '<message to="b@x"><body>&lt;é&#x1F600;<![CDATA[<&>]]></body></message>',
      '<presence/>',
    ];
    const bytes = Buffer.from(`${HEADER}\n ${stanzas.join(' \n')}</stream:stream>`, 'utf8');
    for (const size of [bytes.length, 1, 7]) {
      const parser = new StreamParser();
      const texts: string[] = [];
      parser.on('stanza', (el, text) => {
        texts.push(text);
        expect(el.name).toBe(/^<([a-z]+)/.exec(text)?.[1]);
      });
      for (let i = 0; i < bytes.length; i += size) parser.write(bytes.subarray(i, i + size));
      expect(texts).toEqual(stanzas);
    }
  });

  it('resolves the default namespace through the stream element', () => {
    const parser = new StreamParser();
    const seen: Array<string | undefined> = [];
    parser.on('stanza', (el) => seen.push(el.getNS()));
    parser.write(`${HEADER}<message/>`);
    expect(seen).toEqual(['jabber:client']);
  });

  it('decodes predefined and numeric entities, CDATA and multi-byte characters split across chunks', () => {
    const out = run(
      `${HEADER}<message a='&quot;&#65;&#x42;'><body>&lt;&amp;&gt;&apos; 中文 😀<![CDATA[<x>]]></body></message>`,
    );
    expect(out.error).toBeUndefined();
    expect(out.stanzas[0]).toBe(
      '<message a="&quot;AB"><body>&lt;&amp;&gt;\' 中文 😀&lt;x&gt;</body></message>',
    );
  });

  it('accepts a stream without XML declaration and end tags with trailing whitespace', () => {
    const out = run(`${HEADER.slice(21)}<iq id='a' ><query xmlns='x' ></query ></iq >`);
    expect(out.events).toEqual(['start stream:stream to=localhost', 'stanza iq']);
  });

  it('stops at halt(), even inside a chunk', () => {
    const parser = new StreamParser();
    const names: string[] = [];
    parser.on('stanza', (el) => {
      names.push(el.name);
      parser.halt();
    });
    parser.write(`${HEADER}<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>\u0016\u0003\u0001garbage`);
    expect(names).toEqual(['starttls']);
  });

  it('rethrows an error thrown by a listener instead of calling it a parse error', () => {
    const parser = new StreamParser();
    const errors: string[] = [];
    parser.on('error', (err) => errors.push(err.condition));
    parser.on('stanza', () => {
      throw new Error('boom');
    });
    expect(() => parser.write(`${HEADER}<presence/>`)).toThrow('boom');
    expect(errors).toEqual([]);
  });
});

describe('StreamParser: hostile input', () => {
  const cases: Array<[string, string, string]> = [
    ['malformed tag', `${HEADER}<iq><</iq>`, 'not-well-formed'],
    ['mismatched end tag', `${HEADER}<iq><query></iq></query>`, 'not-well-formed'],
    ['unquoted attribute', `${HEADER}<iq id=1/>`, 'not-well-formed'],
    ['attributes without whitespace', `${HEADER}<iq id='1'type='get'/>`, 'not-well-formed'],
    ['duplicate attribute', `${HEADER}<iq id='1' id='2'/>`, 'not-well-formed'],
    ['< in attribute value', `${HEADER}<iq id='<'/>`, 'not-well-formed'],
    ['bare ampersand', `${HEADER}<message><body>a & b</body></message>`, 'not-well-formed'],
    ['control character', `${HEADER}<message><body>\u0001</body></message>`, 'not-well-formed'],
    ['reference to a non-XML char', `${HEADER}<message><body>&#0;</body></message>`, 'not-well-formed'],
    ['garbage before the stream', 'GET / HTTP/1.1\r\n', 'not-well-formed'],
    ['stray end tag', `${HEADER}</iq>`, 'not-well-formed'],
    ['DOCTYPE before the header', `<!DOCTYPE x [<!ENTITY a 'b'>]>${HEADER}`, 'restricted-xml'],
    ['DOCTYPE after the header', `${HEADER}<!DOCTYPE x>`, 'restricted-xml'],
    ['undefined entity in text', `${HEADER}<message><body>&a;</body></message>`, 'restricted-xml'],
    ['undefined entity in attribute', `${HEADER}<message id='&xxe;'/>`, 'restricted-xml'],
    ['comment between stanzas', `${HEADER}<!-- hi -->`, 'restricted-xml'],
    ['comment inside a stanza', `${HEADER}<message><!-- hi --></message>`, 'restricted-xml'],
    ['processing instruction', `${HEADER}<?foo bar?>`, 'restricted-xml'],
    ['processing instruction inside a stanza', `${HEADER}<iq><?foo?></iq>`, 'restricted-xml'],
    ['second XML declaration', `${HEADER}<?xml version='1.0'?>`, 'restricted-xml'],
    ['PI before the header', `<?php echo 1; ?>${HEADER}`, 'restricted-xml'],
    ['text between stanzas', `${HEADER}hello`, 'bad-format'],
    ['entity between stanzas', `${HEADER}&amp;`, 'bad-format'],
    ['CDATA between stanzas', `${HEADER}<![CDATA[x]]>`, 'bad-format'],
  ];
  for (const [name, input, condition] of cases) {
    it(`${name} -> ${condition}`, () => {
      const out = run(input);
      expect(out.error).toBe(condition);
      expect(out.events.filter((e) => e.startsWith('stanza'))).toEqual([]);
    });
  }

  it('invalid UTF-8 -> not-well-formed', () => {
    const input = Buffer.concat([
      Buffer.from(`${HEADER}<message><body>`),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('</body></message>'),
    ]);
    // Where the error surfaces depends on the chunking (the decoder sees a whole chunk at once).
    for (const size of [input.length, 1, 7]) expect(feed(input, size, {}).error).toBe('not-well-formed');
  });

  it('a truncated multi-byte character at the end -> not-well-formed', () => {
    const out = run(Buffer.concat([Buffer.from(`${HEADER}<message><body>`), Buffer.from([0xe4, 0xb8])]));
    expect(out.error).toBe('not-well-formed');
  });

  it('emits only one error and ignores the rest', () => {
    const out = run(`${HEADER}<!-- x --><presence/><!DOCTYPE y>`);
    expect(out.events).toEqual(['start stream:stream to=localhost', 'error restricted-xml']);
  });

  it('delivers the stanzas before the error in the same chunk', () => {
    const out = run(`${HEADER}<presence/><message/>&bogus;`);
    expect(out.events.slice(1)).toEqual(['stanza presence', 'stanza message', 'error bad-format']);
  });
});

describe('StreamParser: limits', () => {
  it('rejects a stanza over the byte limit while it arrives, counting UTF-8 bytes', () => {
    const small = `<message><body>${'é'.repeat(100)}</body></message>`; // 232 bytes
    expect(run(`${HEADER}${small}`, { maxStanzaBytes: 232 }).error).toBeUndefined();
    expect(run(`${HEADER}${small}`, { maxStanzaBytes: 231 }).error).toBe('policy-violation');
    const parser = new StreamParser({ limits: { maxStanzaBytes: 1000 } });
    let error: string | undefined;
    parser.on('error', (err) => (error = err.condition));
    parser.write(`${HEADER}<message><body>`);
    parser.write('x'.repeat(1000)); // never closed: rejected on the bytes alone
    expect(error).toBe('policy-violation');
  });

  it('does not count whitespace keepalives between stanzas', () => {
    const out = run(`${HEADER}${' '.repeat(500)}<presence/>${'\n'.repeat(500)}<presence/>`, {
      maxStanzaBytes: 200,
    });
    expect(out.error).toBeUndefined();
    expect(out.stanzas).toEqual(['<presence/>', '<presence/>']);
  });

  it('rejects nesting deeper than the limit', () => {
    const nested = (n: number): string => `${'<a>'.repeat(n)}${'</a>'.repeat(n)}`;
    expect(run(`${HEADER}${nested(4)}`, { maxDepth: 5 }).error).toBeUndefined();
    expect(run(`${HEADER}${nested(5)}`, { maxDepth: 5 }).error).toBe('policy-violation');
    expect(run(`${HEADER}${'<a>'.repeat(100000)}`).error).toBe('policy-violation');
  });

  it('rejects too many attributes, long attribute values and long names', () => {
    const attrs = (n: number): string => Array.from({ length: n }, (_, i) => ` a${i}='x'`).join('');
    expect(run(`${HEADER}<iq${attrs(4)}/>`, { maxAttributes: 4 }).error).toBeUndefined();
    expect(run(`${HEADER}<iq${attrs(5)}/>`, { maxAttributes: 4 }).error).toBe('policy-violation');
    expect(run(`${HEADER}<iq id='${'x'.repeat(11)}'/>`, { maxAttributeLength: 10 }).error).toBe(
      'policy-violation',
    );
    expect(run(`${HEADER}<${'n'.repeat(300)}/>`).error).toBe('policy-violation');
  });

  it('bounds the stream header itself', () => {
    expect(run(`<stream:stream a='${'x'.repeat(200)}'>`, { maxStanzaBytes: 100 }).error).toBe(
      'policy-violation',
    );
  });
});

describe('StreamParser: cost', () => {
  it('stays linear when a large stanza arrives in tiny chunks', () => {
    const parser = new StreamParser();
    let size = 0;
    parser.on('stanza', (el) => (size = el.getChildText('body')?.length ?? 0));
    parser.write(HEADER);
    const started = performance.now();
    const input = Buffer.from(`<message><body>${'x'.repeat(250_000)}</body></message>`);
    for (let i = 0; i < input.length; i += 16) parser.write(input.subarray(i, i + 16));
    expect(size).toBe(250_000);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
