/**
 * A fast path for JSON.parse and validation of the session events, as encodeEvent (JSON.stringify)
 * writes them: `{"id":…,"type":…,"version":…,"at":…,"source":…,"payload":{"sessionId":…,"jid":…,
 * "edgeId":…,"bootId":…[,"ip":…|,"reason":…]}}`, no whitespace, printable ASCII strings without
 * escapes, integers without sign, fraction or exponent. The replay parses millions of these; a scan of
 * the bytes for this one shape costs a fraction of decoding the text and parsing it in general.
 *
 * Contract: for any input, the result is either null or a value deep-equal to
 * `JSON.parse(bytes.toString('utf8'))` (same keys in the same order) that decodeEvent's validation
 * accepts (so decodeEvent returns it as it is), and every string in it is printable ASCII
 * (U+0020..U+007E; callers may skip their per-character checks). Anything else (another shape, an
 * escape, a non-ASCII byte, a big number, an invalid value) gives null, and the caller parses and
 * validates in general: no input is accepted here that JSON.parse or the validation would reject or
 * read differently, and the general path reports what is wrong.
 */

import { EVENT_VERSION, SESSION_STOP_REASONS } from './schemas.js';
import { isFullJid } from './validators.js';

/** One literal of the shape, as bytes (a Buffer, like the input: one element kind to compare). */
const lit = (text: string): Buffer => Buffer.from(text, 'latin1');

const ID = lit('{"id":"');
/** The type up to where the two session types part, and the rest of each, closing quote included. */
const TYPE_SESSION = lit(',"type":"session.st');
const STARTED_REST = lit('arted"');
const STOPPED_REST = lit('opped"');
const VERSION = lit(',"version":');
const AT = lit(',"at":');
const SOURCE = lit(',"source":"');
const PAYLOAD = lit(',"payload":{"sessionId":"');
const JID = lit(',"jid":"');
const EDGE_ID = lit(',"edgeId":"');
const BOOT_ID = lit(',"bootId":"');
const IP = lit(',"ip":"');
const REASON = lit(',"reason":"');
const END = lit('}');

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE = 0x7d;
const ZERO = 0x30;
/** 15 digits are always below 2^53: the value read digit by digit is exact. */
const MAX_DIGITS = 15;

/** Position after `expected` if the bytes at `at` are exactly it, else -1. */
function expect(bytes: Uint8Array, at: number, expected: Uint8Array): number {
  if (at < 0 || at + expected.length > bytes.length) return -1;
  for (let i = 0; i < expected.length; i++) if (bytes[at + i] !== expected[i]) return -1;
  return at + expected.length;
}

/**
 * Position of the quote closing the string body starting at `at`, or -1 unless every byte before it
 * is printable ASCII other than a backslash (so the body reads the same as latin1 and as JSON).
 */
function stringEnd(bytes: Uint8Array, at: number): number {
  if (at < 0) return -1;
  for (let i = at; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === QUOTE) return i;
    if (b < 0x20 || b > 0x7e || b === BACKSLASH) return -1;
  }
  return -1;
}

type Latin1Slice = (this: Buffer, start: number, end: number) => string;
/** Buffer's own latin1 decoder: toString's argument checks and encoding lookup cost as much again. */
const latin1Slice: Latin1Slice =
  (Buffer.prototype as unknown as { latin1Slice?: Latin1Slice }).latin1Slice ??
  function (this: Buffer, start: number, end: number) {
    return this.toString('latin1', start, end);
  };

/** True if the bytes [start, end) spell `text` (ASCII). */
function spells(bytes: Uint8Array, start: number, end: number, text: string): boolean {
  if (end - start !== text.length) return false;
  for (let i = start; i < end; i++) if (bytes[i] !== text.charCodeAt(i - start)) return false;
  return true;
}

/**
 * The last value read of a field whose values repeat from event to event (type, source, edge, boot,
 * reason): an equal value reuses the string, sparing a decode and an allocation per event.
 */
interface Recent {
  text: string;
}

/** Position after the string; -1 once the shape is left. Module state: parsing is synchronous. */
let pos = 0;

function readString(bytes: Buffer, literal: Uint8Array, recent: Recent | null): string {
  const start = expect(bytes, pos, literal);
  if (start < 0) {
    pos = -1;
    return '';
  }
  // The last value again, then the closing quote: that is the whole string (the last value holds no
  // quote, backslash or unprintable byte), found without looking for its end.
  if (recent !== null && closes(bytes, start, recent.text)) {
    pos = start + recent.text.length + 1;
    return recent.text;
  }
  const end = stringEnd(bytes, start);
  // The closing quote is part of the field: the next literal starts after it.
  pos = end < 0 ? -1 : end + 1;
  if (end < 0) return '';
  const text = latin1Slice.call(bytes, start, end);
  if (recent !== null) recent.text = text;
  return text;
}

/** True if the bytes at `start` spell `text` (printable ASCII, no quote) and its closing quote. */
function closes(bytes: Uint8Array, start: number, text: string): boolean {
  const end = start + text.length;
  return end < bytes.length && bytes[end] === QUOTE && spells(bytes, start, end, text);
}

/** A JSON integer of at most MAX_DIGITS digits, no sign, no leading zero; NaN otherwise. */
function readInteger(bytes: Uint8Array, literal: Uint8Array): number {
  const start = expect(bytes, pos, literal);
  if (start < 0) {
    pos = -1;
    return NaN;
  }
  let value = 0;
  let i = start;
  for (; i < bytes.length; i++) {
    const d = bytes[i]! - ZERO;
    if (d < 0 || d > 9) break;
    value = value * 10 + d;
  }
  const digits = i - start;
  if (digits === 0 || digits > MAX_DIGITS || (digits > 1 && bytes[start] === ZERO)) {
    pos = -1;
    return NaN;
  }
  pos = i;
  return value;
}

const SESSION_TYPES = ['session.started', 'session.stopped'] as const;

/** The type when it is one of the session events' (the constant: no string made); null for any other. */
function readSessionType(bytes: Uint8Array): string | null {
  const rest = expect(bytes, pos, TYPE_SESSION);
  pos = expect(bytes, rest, STARTED_REST);
  if (pos >= 0) return SESSION_TYPES[0];
  pos = expect(bytes, rest, STOPPED_REST);
  return pos >= 0 ? SESSION_TYPES[1] : null;
}

/**
 * The one of `choices` the string after `literal` spells (the constant itself: no string made);
 * null for any other value, or once the shape is left.
 */
function readOneOf(bytes: Uint8Array, literal: Uint8Array, choices: readonly string[]): string | null {
  const start = expect(bytes, pos, literal);
  if (start < 0) return null;
  for (let i = 0; i < choices.length; i++) {
    const choice = choices[i]!;
    if (closes(bytes, start, choice)) {
      pos = start + choice.length + 1;
      return choice;
    }
  }
  return null;
}

const recentSource: Recent = { text: '' };
const recentEdge: Recent = { text: '' };
const recentBoot: Recent = { text: '' };
const recentIp: Recent = { text: '' };

/**
 * JSON.parse of `bytes` when they hold the canonical text of a valid session event; otherwise null
 * (see the contract above). The checks are decodeEvent's: non-empty strings, the current version, a
 * full JID, a known stop reason (integers of at most 15 digits are safe and non-negative).
 */
export function parseCanonicalSessionEvent(bytes: Buffer): object | null {
  pos = 0;
  const id = readString(bytes, ID, null);
  const type = readSessionType(bytes);
  // Other events (IQs on the responder's and edge's hot paths) leave at once for JSON.parse.
  if (type === null) return null;
  const version = readInteger(bytes, VERSION);
  const at = readInteger(bytes, AT);
  const source = readString(bytes, SOURCE, recentSource);
  const sessionId = readString(bytes, PAYLOAD, null);
  const jid = readString(bytes, JID, null);
  const edgeId = readString(bytes, EDGE_ID, recentEdge);
  const bootId = readString(bytes, BOOT_ID, recentBoot);
  // A failed read leaves pos at -1 (and its string empty): one test for all of them.
  if (pos < 0 || version !== EVENT_VERSION) return null;
  if (id === '' || source === '' || sessionId === '' || edgeId === '' || bootId === '') return null;
  if (!isFullJid(jid)) return null;
  // The payload ends here, or after one more field: ip (a start, optional) or reason (a stop).
  let payload: object;
  if (bytes[pos] === CLOSE) {
    if (type !== SESSION_TYPES[0]) return null;
    pos += 1;
    payload = { sessionId, jid, edgeId, bootId };
  } else if (type === SESSION_TYPES[0]) {
    const ip = readString(bytes, IP, recentIp);
    if (ip === '') return null;
    pos = expect(bytes, pos, END);
    payload = { sessionId, jid, edgeId, bootId, ip };
  } else {
    const reason = readOneOf(bytes, REASON, SESSION_STOP_REASONS);
    if (reason === null) return null;
    pos = expect(bytes, pos, END);
    payload = { sessionId, jid, edgeId, bootId, reason };
  }
  // The envelope closes, and nothing follows.
  if (expect(bytes, pos, END) !== bytes.length) return null;
  return { id, type, version, at, source, payload };
}
