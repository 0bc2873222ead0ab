import type { BusMessage } from '@onlinetime/bus';
import { EventDecodeError } from '@onlinetime/errors';
import { decodeEventOfTypes, parseCanonicalSessionEvent, type SessionsEvent } from '@onlinetime/events';

import { asciiStorableProblem, storableProblem, type StorableProblem } from './storable.js';

export const SESSIONS_EVENT_TYPES = ['session.started', 'session.stopped', 'balance.opened'] as const;

export interface DecodedMessage {
  readonly offset: bigint;
  readonly event: SessionsEvent;
}

export interface InvalidMessage {
  readonly offset: bigint;
  readonly field: string;
  readonly reason: string;
}

export interface DecodedBatch {
  readonly valid: DecodedMessage[];
  readonly invalid: InvalidMessage[];
}

/** Why a message is skipped: the offending field and the reason, as decodeBatch reports them. */
export class Rejection {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {}
}

const unstorable = (problem: StorableProblem): Rejection =>
  new Rejection(problem.field, `invalid event: ${problem.field}: ${problem.reason}`);

/**
 * One message value as the worker takes it: a valid, storable sessions event, or why not. The audit
 * replay calls this for every message of the log, without decodeBatch's per-message offsets.
 */
export function decodeSessionsMessage(value: Buffer | null): SessionsEvent | Rejection {
  // Nearly every message is the canonical text of a start or stop: the scan has validated it as
  // decodeEvent would and proved its strings printable ASCII, so the storability checks can skip
  // their per-character work. Anything else takes the general path below.
  const canonical = value === null ? null : (parseCanonicalSessionEvent(value) as SessionsEvent | null);
  if (canonical !== null) {
    const problem = asciiStorableProblem(canonical);
    return problem === null ? canonical : unstorable(problem);
  }
  let event: SessionsEvent;
  try {
    // As text: decodeEvent would otherwise run the canonical scan that just declined, a second time.
    event = decodeEventOfTypes(value === null ? null : value.toString('utf8'), SESSIONS_EVENT_TYPES);
  } catch (err) {
    if (!(err instanceof EventDecodeError)) throw err;
    return new Rejection(err.field, err.message);
  }
  const problem = storableProblem(event);
  return problem === null ? event : unstorable(problem);
}

/** Validates every message of a partition batch; invalid ones are set aside, never thrown. */
export function decodeBatch(messages: readonly BusMessage[]): DecodedBatch {
  const valid: DecodedMessage[] = [];
  const invalid: InvalidMessage[] = [];
  for (const message of messages) {
    const offset = BigInt(message.offset);
    const decoded = decodeSessionsMessage(message.value);
    if (decoded instanceof Rejection) invalid.push({ offset, field: decoded.field, reason: decoded.reason });
    else valid.push({ offset, event: decoded });
  }
  return { valid, invalid };
}
