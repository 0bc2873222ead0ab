import { EventDecodeError } from '@onlinetime/errors';

import { SESSION_STOP_REASONS, type EventType } from './schemas.js';

type Raw = Record<string, unknown>;
type Validator = (payload: Raw) => void;

const P = 'payload.';

function str(obj: Raw, field: string, optional = false): void {
  const value = obj[field];
  if (optional && value === undefined) return;
  if (typeof value !== 'string' || value.length === 0) {
    throw new EventDecodeError(
      P + field,
      optional ? 'must be a non-empty string when present' : 'must be a non-empty string',
    );
  }
}

function int(obj: Raw, field: string): void {
  const value = obj[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new EventDecodeError(P + field, 'must be a non-negative integer');
  }
}

function oneOf(obj: Raw, field: string, allowed: readonly string[]): void {
  const value = obj[field];
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw new EventDecodeError(P + field, `must be one of ${allowed.join('|')}`);
  }
}

/** user@domain/resource, judged by the first '@' and the first '/' (also the canonical scan's rule). */
export function isFullJid(value: string): boolean {
  const at = value.indexOf('@');
  const slash = value.indexOf('/');
  return at > 0 && slash > at + 1 && slash !== value.length - 1;
}

function fullJid(obj: Raw, field: string): void {
  str(obj, field);
  if (!isFullJid(obj[field] as string)) {
    throw new EventDecodeError(P + field, 'must be a full JID user@domain/resource');
  }
}

function bare(obj: Raw, field: string): void {
  str(obj, field);
  const value = obj[field] as string;
  const at = value.indexOf('@');
  if (at <= 0 || at === value.length - 1 || value.includes('/')) {
    throw new EventDecodeError(P + field, 'must be a bare JID user@domain');
  }
}

const edgeState: Validator = (p) => {
  str(p, 'edgeId');
  str(p, 'bootId');
  int(p, 'sessions');
};

export const PAYLOAD_VALIDATORS: Record<EventType, Validator> = {
  'session.started': (p) => {
    str(p, 'sessionId');
    fullJid(p, 'jid');
    str(p, 'edgeId');
    str(p, 'bootId');
    str(p, 'ip', true);
  },
  'session.stopped': (p) => {
    str(p, 'sessionId');
    fullJid(p, 'jid');
    str(p, 'edgeId');
    str(p, 'bootId');
    oneOf(p, 'reason', SESSION_STOP_REASONS);
  },
  'balance.opened': (p) => {
    bare(p, 'jid');
    int(p, 'ms');
    str(p, 'origin');
  },
  'edge.started': edgeState,
  'edge.heartbeat': edgeState,
  'edge.stopped': edgeState,
  'iq.request': (p) => {
    str(p, 'edgeId');
    str(p, 'sessionId');
    fullJid(p, 'from');
    str(p, 'to', true);
    str(p, 'id');
    oneOf(p, 'type', ['get', 'set']);
    str(p, 'stanza');
  },
  'iq.reply': (p) => {
    str(p, 'sessionId');
    str(p, 'stanza');
  },
};
