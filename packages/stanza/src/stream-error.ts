import type { Element } from '@xmpp/xml';

import { NS } from './namespaces.js';
import { xml } from './xml.js';

/** RFC 6120 §4.9: `<stream:error><condition xmlns='…xmpp-streams'/><text …>…</text></stream:error>`. */
export function streamErrorElement(condition: string, text?: string): Element {
  const error = xml('stream:error', {}, xml(condition, { xmlns: NS.streams }));
  if (text !== undefined && text !== '') {
    error.append(xml('text', { xmlns: NS.streams, 'xml:lang': 'en' }, text));
  }
  return error;
}

export interface StreamHeaderOptions {
  readonly from: string;
  readonly id: string;
  readonly to?: string | undefined;
  readonly lang?: string | undefined;
}

/** The server's response stream header (RFC 6120 §4.7), XML declaration included, left open. */
export function streamHeader(options: StreamHeaderOptions): string {
  const esc = (v: string): string => v.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  const to = options.to === undefined ? '' : ` to='${esc(options.to)}'`;
  return (
    `<?xml version='1.0'?><stream:stream from='${esc(options.from)}' id='${esc(options.id)}'${to}` +
    ` version='1.0' xml:lang='${esc(options.lang ?? 'en')}' xmlns='${NS.client}' xmlns:stream='${NS.stream}'>`
  );
}

export const STREAM_CLOSE = '</stream:stream>';
