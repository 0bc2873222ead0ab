import type { BusMessage } from '@onlinetime/bus';
import { EventDecodeError } from '@onlinetime/errors';
import { decodeEventOfTypes, type SessionsEvent } from '@onlinetime/events';

import { storableProblem } from './storable.js';

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

/** Validates every message of a partition batch; invalid ones are set aside, never thrown. */
export function decodeBatch(messages: readonly BusMessage[]): DecodedBatch {
  const valid: DecodedMessage[] = [];
  const invalid: InvalidMessage[] = [];
  for (const message of messages) {
    const offset = BigInt(message.offset);
    let event: SessionsEvent;
    try {
      event = decodeEventOfTypes(message.value, SESSIONS_EVENT_TYPES);
    } catch (err) {
      if (!(err instanceof EventDecodeError)) throw err;
      invalid.push({ offset, field: err.field, reason: err.message });
      continue;
    }
    const problem = storableProblem(event);
    if (problem === null) valid.push({ offset, event });
    else
      invalid.push({
        offset,
        field: problem.field,
        reason: `invalid event: ${problem.field}: ${problem.reason}`,
      });
  }
  return { valid, invalid };
}
