import { NS, xml } from '@onlinetime/stanza';
import { describe, expect, it } from 'vitest';

import { saslDataText } from './sasl.js';

describe('saslDataText', () => {
  it('is what the element would serialise to', () => {
    for (const name of ['challenge', 'success'] as const) {
      for (const data of [
        undefined,
        Buffer.alloc(0),
        Buffer.from('v=rmF9pqV8S7suAoZWja4dJRkFsKQ='),
        Buffer.from([0xfb, 0xff, 0x3e]),
      ]) {
        const element = xml(name, { xmlns: NS.sasl });
        if (data !== undefined && data.length > 0) element.t(data.toString('base64'));
        expect(saslDataText(name, data)).toBe(element.toString());
      }
    }
  });
});
