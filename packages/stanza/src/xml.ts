/** The one place @xmpp/xml (ltx) elements enter the product: re-exports and tiny helpers. */
import xmlFactory, { Element, escapeXML, escapeXMLText } from '@xmpp/xml';

export { Element, escapeXML, escapeXMLText };

/** `xml(name, attrs, ...children)`: builds an Element (children: Elements or text). */
export const xml: (...args: Parameters<typeof xmlFactory>) => Element = xmlFactory;

/** The XML text of an element; attribute values and text are escaped by ltx. */
export function serialize(element: Element): string {
  return element.toString();
}

/** The child elements (text nodes skipped). */
export function childElements(element: Element): Element[] {
  return element.getChildElements();
}

/** A deep copy, detached from any parent. */
export function cloneElement(element: Element): Element {
  const copy = new Element(element.name, { ...element.attrs });
  for (const child of element.children) {
    copy.append(typeof child === 'string' ? child : cloneElement(child as Element));
  }
  return copy;
}
