import { SaslFailure } from './sasl-failure.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Canonical base64 (RFC 4648 §4, padded, no whitespace, zero pad bits) or null. Node's own decoder is
 * lenient (skips junk, accepts missing padding), hence the checks around it.
 */
export function decodeBase64Canonical(text: string): Buffer | null {
  if (!BASE64.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

/**
 * The payload of an RFC 6120 `<auth/>` / `<response/>` element: `=` (or no text) means empty data
 * (§6.4.2); anything that is not canonical base64 fails with `incorrect-encoding`.
 */
export function decodeBase64Strict(text: string): Buffer {
  if (text === '=' || text === '') return Buffer.alloc(0);
  const bytes = decodeBase64Canonical(text);
  if (bytes === null) throw new SaslFailure('incorrect-encoding', 'the data is not valid base64');
  return bytes;
}
