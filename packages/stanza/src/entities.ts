import { StreamError } from '@onlinetime/errors';

import { isXmlCodePoint } from './xml-chars.js';

/** Longest entity name scanned before giving up (numeric references may carry leading zeros). */
export const ENTITY_MAX = 32;

const PREDEFINED = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);
const DECIMAL = /^#[0-9]+$/;
const HEX = /^#x[0-9A-Fa-f]+$/;
const NAME = /^[A-Za-z_:\u00C0-\uFFFF][\w.:\-\u00B7\u00C0-\uFFFF]*$/;

/**
 * Accepts the five predefined entities and numeric character references to XML characters. A named
 * reference to anything else would need a DTD: `restricted-xml`. Nothing is ever expanded here.
 */
export function checkEntity(name: string): void {
  if (PREDEFINED.has(name)) return;
  if (name.length <= ENTITY_MAX && (DECIMAL.test(name) || HEX.test(name))) {
    const cp = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    if (isXmlCodePoint(cp)) return;
    throw new StreamError('not-well-formed', 'character reference to a non-XML character');
  }
  if (NAME.test(name)) throw new StreamError('restricted-xml', 'entity references are not allowed');
  throw new StreamError('not-well-formed', 'malformed entity reference');
}
