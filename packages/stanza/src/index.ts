export { NS } from './namespaces.js';
export { xml, serialize, childElements, cloneElement, Element, escapeXML, escapeXMLText } from './xml.js';
export { DEFAULT_LIMITS, type ParserLimits } from './limits.js';
export { StreamParser, type StreamParserEvents, type StreamParserOptions } from './stream-parser.js';
export { parseElement } from './parse-element.js';
export { parseRawElement, withRootAttributes, type RawElement } from './raw-element.js';
export {
  parseJid,
  tryParseJid,
  normalizeLocalpart,
  normalizeDomain,
  normalizeResource,
  bareJidOf,
  jidToString,
  withResource,
  JidError,
  type Jid,
} from './jid.js';
export {
  errorElement,
  stanzaErrorReply,
  type StanzaErrorSpec,
  type ErrorReplyOptions,
} from './stanza-error.js';
export { streamErrorElement, streamHeader, STREAM_CLOSE, type StreamHeaderOptions } from './stream-error.js';
