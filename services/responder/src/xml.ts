/**
 * XML for the responder, over @onlinetime/stanza's guarded parser: every stanza taken from an event
 * is validated again here (the edge checked the client's bytes, the responder trusts no one).
 */
import { OnlinetimeError, StreamError } from '@onlinetime/errors';
import { parseElement, serialize, xml, type Element } from '@onlinetime/stanza';

export { serialize, type Element };

export interface XmlLimits {
  /** UTF-8 bytes of the whole text. */
  readonly maxBytes: number;
  /** Element nesting, the root being depth 1. */
  readonly maxDepth: number;
}

/** Text that is not one well-formed, restricted XML element within the limits. */
export class XmlInputError extends OnlinetimeError {
  readonly reason: 'too-large' | 'malformed';
  constructor(reason: 'too-large' | 'malformed', message: string, cause?: unknown) {
    super('XML_INVALID', message, { context: { reason }, cause });
    this.reason = reason;
  }
}

const LONE_SURROGATE = /\p{Cs}/u;

type Attrs = Readonly<Record<string, string | number | undefined>>;

/** Builds an element: `el('query', { xmlns: NS }, child, 'text')`; undefined attributes and null children are left out. */
export function el(
  name: string,
  attrs: Attrs = {},
  ...children: ReadonlyArray<Element | string | null>
): Element {
  const defined: Record<string, string> = {};
  for (const [key, value] of Object.entries(attrs)) if (value !== undefined) defined[key] = String(value);
  return xml(name, defined, ...children.filter((c): c is Element | string => c !== null));
}

/** Parses exactly one element (no DTD, comment, PI or undefined entity). Throws XmlInputError. */
export function parseXml(text: string, limits: XmlLimits): Element {
  if (Buffer.byteLength(text, 'utf8') > limits.maxBytes) {
    throw new XmlInputError('too-large', `XML larger than ${limits.maxBytes} bytes`);
  }
  // The guarded parser checks UTF-16 units of strings; a lone surrogate (possible in JSON) is not XML.
  if (LONE_SURROGATE.test(text)) throw new XmlInputError('malformed', 'not acceptable XML: lone surrogate');
  try {
    return parseElement(text.trim(), { maxStanzaBytes: limits.maxBytes, maxDepth: limits.maxDepth });
  } catch (err) {
    if (err instanceof StreamError)
      throw new XmlInputError('malformed', `not acceptable XML: ${err.message}`, err);
    throw err;
  }
}

/** Removes, at any depth, every element whose local name is `name` (whatever its namespace). Iterative. */
export function removeElementsNamed(root: Element, name: string): number {
  let removed = 0;
  const stack: Element[] = [root];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const before = node.children.length;
    node.children = node.children.filter((child) => typeof child === 'string' || child.getName() !== name);
    removed += before - node.children.length;
    for (const child of node.children) if (typeof child !== 'string') stack.push(child);
  }
  return removed;
}
