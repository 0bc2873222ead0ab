import { OnlinetimeError } from './onlinetime-error.js';

/** A message on the bus that is not a valid event; `field` names the first offending path. */
export class EventDecodeError extends OnlinetimeError {
  readonly field: string;

  constructor(field: string, message: string, context: Record<string, unknown> = {}) {
    super('EVENT_INVALID', `invalid event: ${field}: ${message}`, { context: { field, ...context } });
    this.field = field;
  }
}
