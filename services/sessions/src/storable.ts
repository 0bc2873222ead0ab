import { bareJid, type SessionsEvent } from '@onlinetime/events';
import { STORE_LIMITS } from '@onlinetime/store';

/**
 * Column rules of the store (packages/store LIMITS and checkKey/checkText): an event the schema
 * accepts but the store would refuse must be skipped like an invalid one, or its batch would fail
 * forever and stop the partition.
 */
const KEY_CHARS = STORE_LIMITS.key;
const RESOURCE_CHARS = STORE_LIMITS.resource;
const IP_CHARS = STORE_LIMITS.ip;
/** An opening balance above a century is a data error, and would push totals past safe integers. */
export const MAX_BALANCE_MS = 100 * 365.25 * 24 * 3600_000;
/** Event times past 2200-01-01 are a broken clock; summing them could leave the safe integers. */
export const MAX_EVENT_AT = Date.UTC(2200, 0, 1);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F]/;

function chars(value: string): number {
  let n = 0;
  for (const _ of value) n += 1;
  return n;
}

/**
 * Printable ASCII (U+0020..U+007E) holds no control character or surrogate and has one character
 * per code unit: the common case, checked without regexes (the replay runs this for every event).
 */
function printableAscii(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function textProblem(value: string, max: number): string | null {
  if (printableAscii(value)) return value.length > max ? `longer than ${max} characters` : null;
  if (value.length > max && chars(value) > max) return `longer than ${max} characters`;
  if (LONE_SURROGATE.test(value)) return 'contains a lone surrogate';
  return null;
}

export function keyProblem(value: string): string | null {
  if (value.length === 0) return 'must not be empty';
  if (printableAscii(value)) {
    if (value.endsWith(' ')) return 'ends with a space';
    return value.length > KEY_CHARS ? `longer than ${KEY_CHARS} characters` : null;
  }
  if (CONTROL.test(value)) return 'contains a control character';
  if (value.endsWith(' ')) return 'ends with a space';
  return textProblem(value, KEY_CHARS);
}

export interface StorableProblem {
  readonly field: string;
  readonly reason: string;
}

const problemOf = (field: string, reason: string | null): StorableProblem | null =>
  reason === null ? null : { field, reason };

/** Null when the store can hold every value the event leads to; else the first offending field. */
export function storableProblem(event: SessionsEvent): StorableProblem | null {
  if (event.at > MAX_EVENT_AT)
    return { field: 'at', reason: `after ${new Date(MAX_EVENT_AT).toISOString()}` };
  const bare = problemOf('payload.jid', keyProblem(bareJid(event.payload.jid)));
  if (bare !== null) return bare;
  if (event.type === 'balance.opened') {
    return event.payload.ms > MAX_BALANCE_MS
      ? { field: 'payload.ms', reason: `above ${MAX_BALANCE_MS} ms` }
      : null;
  }
  const { sessionId, jid, edgeId, bootId } = event.payload;
  return (
    problemOf('payload.sessionId', keyProblem(sessionId)) ??
    problemOf('payload.edgeId', keyProblem(edgeId)) ??
    problemOf('payload.bootId', keyProblem(bootId)) ??
    problemOf('payload.jid', textProblem(jid.slice(jid.indexOf('/') + 1), RESOURCE_CHARS)) ??
    (event.type === 'session.started' && event.payload.ip !== undefined
      ? problemOf('payload.ip', textProblem(event.payload.ip, IP_CHARS))
      : null)
  );
}

/** keyProblem of the printable ASCII text `value.slice(0, end)`, without making it. */
function asciiKeyProblem(value: string, end: number): string | null {
  if (end === 0) return 'must not be empty';
  if (value.charCodeAt(end - 1) === 0x20) return 'ends with a space';
  return end > KEY_CHARS ? `longer than ${KEY_CHARS} characters` : null;
}

/**
 * storableProblem for an event whose strings are all printable ASCII (as the events package's
 * canonical scan guarantees for what it reads): the same answer without the per-character checks
 * and without slicing the JID, which the replay would otherwise pay for every event.
 */
export function asciiStorableProblem(event: SessionsEvent): StorableProblem | null {
  if (event.type === 'balance.opened') return storableProblem(event);
  if (event.at > MAX_EVENT_AT)
    return { field: 'at', reason: `after ${new Date(MAX_EVENT_AT).toISOString()}` };
  const { sessionId, jid, edgeId, bootId } = event.payload;
  const slash = jid.indexOf('/');
  // The resource is what follows the first slash (all of the JID without one), as storableProblem reads it.
  const resourceChars = jid.length - slash - 1;
  return (
    problemOf('payload.jid', asciiKeyProblem(jid, slash === -1 ? jid.length : slash)) ??
    problemOf('payload.sessionId', asciiKeyProblem(sessionId, sessionId.length)) ??
    problemOf('payload.edgeId', asciiKeyProblem(edgeId, edgeId.length)) ??
    problemOf('payload.bootId', asciiKeyProblem(bootId, bootId.length)) ??
    (resourceChars > RESOURCE_CHARS
      ? { field: 'payload.jid', reason: `longer than ${RESOURCE_CHARS} characters` }
      : null) ??
    (event.type === 'session.started' && event.payload.ip !== undefined && event.payload.ip.length > IP_CHARS
      ? { field: 'payload.ip', reason: `longer than ${IP_CHARS} characters` }
      : null)
  );
}
