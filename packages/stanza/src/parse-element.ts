import { StreamError } from '@onlinetime/errors';
import type { Element } from '@xmpp/xml';

import type { ParserLimits } from './limits.js';
import { StreamParser } from './stream-parser.js';

/**
 * Parses exactly one element from trusted-but-checked text (e.g. a stanza carried in an event) with
 * the same guard as client streams. Throws StreamError when it is not exactly one well-formed element.
 * The element is detached from the parser's wrapper (no parent).
 */
export function parseElement(text: string, limits?: Partial<ParserLimits>): Element {
  const parser = new StreamParser({ mode: 'fragment', ...(limits === undefined ? {} : { limits }) });
  const found: Element[] = [];
  let failure: StreamError | undefined;
  parser.on('stanza', (el) => found.push(el));
  parser.on('error', (err) => (failure = err));
  parser.write(text);
  parser.end();
  if (failure !== undefined) throw failure;
  const [element] = found;
  if (element === undefined || found.length !== 1) {
    throw new StreamError('bad-format', `expected exactly one element, got ${found.length}`);
  }
  element.parent = null;
  return element;
}
