/** Character classes of XML 1.0 §2.2/§2.3 on UTF-16 code units (surrogates come in valid pairs from the fatal decoder). */

/** XML 1.0 `Char`: TAB, LF, CR, U+0020..U+D7FF, surrogates (paired), U+E000..U+FFFD. */
export function isXmlChar(c: number): boolean {
  if (c >= 0x20) return c <= 0xfffd;
  return c === 0x9 || c === 0xa || c === 0xd;
}

export function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x9 || c === 0xa || c === 0xd;
}

/** XML `NameStartChar`, simplified: ':' 'A-Z' '_' 'a-z' and everything from U+00C0 except U+00D7 and U+00F7. */
export function isNameStartChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    c === 0x3a ||
    c === 0x5f ||
    (c >= 0xc0 && c !== 0xd7 && c !== 0xf7)
  );
}

/** XML `NameChar`, simplified: a start char, '-', '.', digits or U+00B7. */
export function isNameChar(c: number): boolean {
  return isNameStartChar(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0xb7;
}

/** UTF-8 bytes of one UTF-16 code unit: each half of a surrogate pair counts 2 (4 per pair). */
export function utf8Length(c: number): number {
  if (c < 0x80) return 1;
  if (c < 0x800) return 2;
  if (c >= 0xd800 && c <= 0xdfff) return 2;
  return 3;
}

/** Whether a code point (e.g. of `&#…;`) is an XML `Char`. */
export function isXmlCodePoint(cp: number): boolean {
  if (cp <= 0xffff) return isXmlChar(cp) && !(cp >= 0xd800 && cp <= 0xdfff);
  return cp <= 0x10ffff;
}
