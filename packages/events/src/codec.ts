import { EventDecodeError } from '@onlinetime/errors';

import { parseCanonicalSessionEvent } from './canonical-json.js';
import { EVENT_VERSION, type EventType, type OnlinetimeEvent } from './schemas.js';
import { PAYLOAD_VALIDATORS } from './validators.js';

/** JSON text of an event; the bus carries it as the message value. */
export function encodeEvent(event: OnlinetimeEvent): Buffer {
  return Buffer.from(JSON.stringify(event));
}

type Raw = Record<string, unknown>;

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(obj: Raw, field: string, path: string): string {
  const value = obj[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new EventDecodeError(`${path}${field}`, 'must be a non-empty string');
  }
  return value;
}

function requireInteger(obj: Raw, field: string, path: string): number {
  const value = obj[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new EventDecodeError(`${path}${field}`, 'must be a non-negative integer');
  }
  return value;
}

/**
 * Parses and validates one message value. Never throws anything but EventDecodeError, which names
 * the offending field, so a consumer can log it with topic/partition/offset and move on.
 */
export function decodeEvent(value: Buffer | string | null): OnlinetimeEvent {
  if (value === null) throw new EventDecodeError('value', 'message has no value');
  // The session events' own shape is read by a scan of the bytes: what it returns is what JSON.parse
  // gives and what the checks below accept (canonical-json.ts), so it needs no second look.
  const canonical = typeof value === 'string' ? null : parseCanonicalSessionEvent(value);
  if (canonical !== null) return canonical as OnlinetimeEvent;
  let raw: unknown;
  try {
    raw = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (err) {
    throw new EventDecodeError('value', `not JSON (${(err as Error).message})`);
  }
  if (!isObject(raw)) throw new EventDecodeError('value', 'must be a JSON object');
  requireString(raw, 'id', '');
  const type = requireString(raw, 'type', '');
  const version = requireInteger(raw, 'version', '');
  requireInteger(raw, 'at', '');
  requireString(raw, 'source', '');
  const validate = PAYLOAD_VALIDATORS[type as EventType];
  if (validate === undefined)
    throw new EventDecodeError('type', `unknown event type ${JSON.stringify(type)}`);
  if (version !== EVENT_VERSION) {
    throw new EventDecodeError(
      'version',
      `unsupported version ${version} of ${type} (expected ${EVENT_VERSION})`,
    );
  }
  if (!isObject(raw['payload'])) throw new EventDecodeError('payload', 'must be an object');
  validate(raw['payload']);
  return raw as unknown as OnlinetimeEvent;
}

/** decodeEvent, then checks the type is one a topic may carry. */
export function decodeEventOfTypes<T extends EventType>(
  value: Buffer | string | null,
  types: readonly T[],
): Extract<OnlinetimeEvent, { type: T }> {
  const event = decodeEvent(value);
  if (!(types as readonly string[]).includes(event.type)) {
    throw new EventDecodeError('type', `${event.type} is not expected here (expected ${types.join(', ')})`);
  }
  return event as Extract<OnlinetimeEvent, { type: T }>;
}
