import { StreamError } from '@onlinetime/errors';
import { describe, expect, it } from 'vitest';

import { parseElement } from './parse-element.js';

describe('parseElement', () => {
  it('parses exactly one element, detached', () => {
    const el = parseElement("<?xml version='1.0'?> <iq type='result' id='1'><q xmlns='n'>&amp;</q></iq>\n");
    expect(el.toString()).toBe('<iq type="result" id="1"><q xmlns="n">&amp;</q></iq>');
    expect(el.parent).toBeNull();
  });

  const bad: Array<[string, string]> = [
    ['', 'bad-format'],
    ['<a/><b/>', 'bad-format'],
    ['<a>', 'bad-format'],
    ['<a></b>', 'not-well-formed'],
    ['<!DOCTYPE a><a/>', 'restricted-xml'],
    ['<a>&e;</a>', 'restricted-xml'],
    ['text', 'not-well-formed'],
  ];
  for (const [input, condition] of bad) {
    it(`rejects ${JSON.stringify(input)} with ${condition}`, () => {
      expect(() => parseElement(input)).toThrow(StreamError);
      try {
        parseElement(input);
      } catch (err) {
        expect((err as StreamError).condition).toBe(condition);
      }
    });
  }

  it('applies limits', () => {
    expect(() => parseElement(`<a>${'x'.repeat(100)}</a>`, { maxStanzaBytes: 50 })).toThrow(StreamError);
  });
});
