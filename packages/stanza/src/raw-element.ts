import { StreamError } from '@onlinetime/errors';
import { escapeXML, unescapeXML } from '@xmpp/xml';

import { DEFAULT_LIMITS, type ParserLimits } from './limits.js';
import { XmlScanner } from './scanner.js';
import { isWhitespace } from './xml-chars.js';

/** One element kept as text, with its root's name and attributes read. */
export interface RawElement {
  /** The root's qualified name. */
  readonly name: string;
  /** The root's attributes, unescaped exactly as @xmpp/xml's parser gives them. */
  readonly attrs: Readonly<Record<string, string>>;
  /** The element's text as given (without surrounding whitespace or XML declaration). */
  readonly text: string;
}

/**
 * Like parseElement, with the same guard (every character checked, the limits, exactly one
 * well-formed element), for text that is passed on rather than read: no tree is built, only the
 * root's start tag is read. Throws StreamError like parseElement.
 */
export function parseRawElement(text: string, limits?: Partial<ParserLimits>): RawElement {
  let units = 0;
  let unit = '';
  const scanner = new XmlScanner({
    limits: { ...DEFAULT_LIMITS, ...limits },
    mode: 'fragment',
    onUnit: (t) => {
      units++;
      unit = t;
    },
  });
  scanner.write(text);
  if (!scanner.atRest) throw new StreamError('bad-format', 'the element is not complete');
  if (units !== 1) throw new StreamError('bad-format', `expected exactly one element, got ${units}`);
  const { name, attrs } = readStartTag(unit);
  return { name, attrs, text: unit };
}

/**
 * Well-formed element text (from parseRawElement, or a stanza's text from StreamParser) with its
 * root's attributes replaced by `attrs`, written as @xmpp/xml writes them; the content is kept as
 * it is, so only the start tag is serialised again.
 */
export function withRootAttributes(text: string, attrs: Readonly<Record<string, unknown>>): string {
  const { name, end, selfClosing } = findStartTag(text);
  let tag = `<${name}`;
  for (const key in attrs) {
    const value = attrs[key];
    if (value === undefined || value === null) continue;
    tag += ` ${key}="${escapeXML(String(value))}"`;
  }
  return selfClosing ? `${tag}/>` : tag + text.slice(end - 1);
}

/** The root's name and where its start tag ends, without reading the attributes. */
function findStartTag(text: string): { name: string; end: number; selfClosing: boolean } {
  let i = 1;
  while (i < text.length && !endsName(text.charCodeAt(i))) i++;
  const name = text.slice(1, i);
  let quote = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) quote = c;
    else if (c === 0x3e /* > */) {
      const selfClosing = text.charCodeAt(i - 1) === 0x2f; /* / */
      return { name, end: i + 1, selfClosing };
    }
  }
  throw new StreamError('bad-format', 'unterminated start tag');
}

/** Reads the root's start tag of text the scanner accepted (so it checks only that it ends). */
function readStartTag(text: string): { name: string; attrs: Record<string, string> } {
  const n = text.length;
  const at = (i: number): number => {
    if (i >= n) throw new StreamError('bad-format', 'unterminated start tag');
    return text.charCodeAt(i);
  };
  let i = 1;
  while (!endsName(at(i))) i++;
  const name = text.slice(1, i);
  // No prototype: an attribute named __proto__ is just an attribute.
  const attrs = Object.create(null) as Record<string, string>;
  for (;;) {
    while (isWhitespace(at(i))) i++;
    const c = at(i);
    if (c === 0x3e /* > */ || c === 0x2f /* / */) return { name, attrs };
    const start = i;
    while (!endsName(at(i)) && at(i) !== 0x3d /* = */) i++;
    const key = text.slice(start, i);
    while (at(i) !== 0x3d) i++;
    i++;
    while (isWhitespace(at(i))) i++;
    const close = text.indexOf(text[i] as string, i + 1);
    if (close === -1) throw new StreamError('bad-format', 'unterminated attribute value');
    attrs[key] = unescapeXML(text.slice(i + 1, close));
    i = close + 1;
  }
}

function endsName(c: number): boolean {
  return isWhitespace(c) || c === 0x3e /* > */ || c === 0x2f; /* / */
}
