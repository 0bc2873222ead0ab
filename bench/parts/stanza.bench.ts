#!/usr/bin/env node
/**
 * packages/stanza alone: the guarded stream parser (bytes → stanzas), parseElement (one stanza from
 * event text, as the responder does) and serialisation. `node bench/dist/parts/stanza.bench.js`
 */
import { parseElement, parseRawElement, serialize, StreamParser, xml } from '@onlinetime/stanza';

import { measure, printResults, type PartResult } from './measure.js';

const VCARD_GET = `<iq type='get' id='b1x' to='bench42@localhost'><vCard xmlns='vcard-temp'/></iq>`;
const ONLINETIME_GET = `<iq type='get' id='b2x' to='bench7@localhost'><query xmlns='youbao:xmpp:onlinetime'/></iq>`;
const VCARD_RESULT =
  `<iq xmlns='jabber:client' type='result' id='b1x' from='bench42@localhost' to='bench1@localhost/r1'><vCard xmlns='vcard-temp'>` +
  `<FN>Bench User 42</FN><N><FAMILY>User</FAMILY><GIVEN>Bench42</GIVEN></N><NICKNAME>bench42</NICKNAME>` +
  `<EMAIL><INTERNET/><USERID>bench42@example.org</USERID></EMAIL><ORG><ORGNAME>Bench Org</ORGNAME></ORG>` +
  `<TITLE>Load tester</TITLE><DESC>vCard of bench42 for benchmarks</DESC><YB_ONLINETIME>2643</YB_ONLINETIME></vCard></iq>`;
const HEADER = `<?xml version='1.0'?><stream:stream to='localhost' version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>`;

async function main(): Promise<void> {
  const results: PartResult[] = [];
  // A client stream of small IQs, fed as 4 KiB chunks, as a socket delivers them.
  const batch = Buffer.from((VCARD_GET + ONLINETIME_GET).repeat(500));
  const chunks: Buffer[] = [];
  for (let i = 0; i < batch.length; i += 4096) chunks.push(batch.subarray(i, i + 4096));
  let parser = new StreamParser();
  let stanzas = 0;
  const fresh = (): void => {
    parser = new StreamParser();
    parser.on('stanza', () => (stanzas += 1));
    parser.write(HEADER);
  };
  fresh();
  results.push(
    await measure(
      'stanza',
      'StreamParser: 1,000 small IQs in 4 KiB chunks',
      () => {
        for (const chunk of chunks) parser.write(chunk);
        if (stanzas > 1_000_000) {
          stanzas = 0;
          fresh();
        }
      },
      { opsPerCall: 1000, unit: 'stanzas/s' },
    ),
  );
  results.push(
    await measure('stanza', 'parseElement: vCard get (event text → Element)', () => parseElement(VCARD_GET), {
      unit: 'stanzas/s',
    }),
  );
  results.push(
    await measure(
      'stanza',
      'parseElement: vCard result with YB_ONLINETIME',
      () => parseElement(VCARD_RESULT),
      { unit: 'stanzas/s' },
    ),
  );
  results.push(
    await measure(
      'stanza',
      'parseRawElement: vCard result checked as text (the edge, per reply)',
      () => parseRawElement(VCARD_RESULT),
      { unit: 'stanzas/s' },
    ),
  );
  const element = parseElement(VCARD_RESULT);
  results.push(
    await measure('stanza', 'serialize: vCard result', () => serialize(element), { unit: 'stanzas/s' }),
  );
  results.push(
    await measure(
      'stanza',
      'xml() + serialize: online-time result',
      () =>
        serialize(
          xml(
            'iq',
            { type: 'result', id: 'b2x', from: 'bench7@localhost', to: 'bench1@localhost/r1' },
            xml('query', { xmlns: 'youbao:xmpp:onlinetime' }, xml('onlinetime', {}, '12345')),
          ),
        ),
      { unit: 'stanzas/s' },
    ),
  );
  printResults(results);
}

void main();
