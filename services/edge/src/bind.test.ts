import { NS, xml } from '@onlinetime/stanza';
import { describe, expect, it } from 'vitest';

import { bindResultText } from './bind.js';

describe('bindResultText', () => {
  it('is what the element would serialise to, escaping included', () => {
    for (const [id, jid] of [
      ['b1', 'alice@localhost/phone'],
      [`a"b'c<d>&e`, `o'hara&co@localhost/<res> "x"`],
    ] as const) {
      const element = xml('iq', { type: 'result', id }, xml('bind', { xmlns: NS.bind }, xml('jid', {}, jid)));
      expect(bindResultText(id, jid)).toBe(element.toString());
    }
  });
});
