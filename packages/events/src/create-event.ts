import { randomUUID } from 'node:crypto';

import { EVENT_VERSION, type EventType, type OnlinetimeEvent, type PayloadOf } from './schemas.js';

export interface CreateEventOptions {
  readonly source: string;
  /** Defaults to now. */
  readonly at?: number;
  /** Defaults to a random UUID; pass one to make a producer idempotent (e.g. the importer). */
  readonly id?: string;
}

export function createEvent<T extends EventType>(
  type: T,
  payload: PayloadOf<T>,
  options: CreateEventOptions,
): Extract<OnlinetimeEvent, { type: T }> {
  return {
    id: options.id ?? randomUUID(),
    type,
    version: EVENT_VERSION,
    at: options.at ?? Date.now(),
    source: options.source,
    payload,
  } as unknown as Extract<OnlinetimeEvent, { type: T }>;
}
