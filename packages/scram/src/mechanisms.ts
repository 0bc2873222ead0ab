import type { ScramMechanism } from './types.js';

/** Mechanisms the edge offers, strongest first (RFC 6120 §6.3.3: the client picks, in its own order). */
export const MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN'] as const;

export type SaslMechanism = (typeof MECHANISMS)[number];

/** RFC 7677 §4 and RFC 5802 §5.1: at least 4096 iterations. */
export const DEFAULT_ITERATIONS = 4096;

/** Bytes of random salt per mechanism and user. */
export const SALT_BYTES = 16;

export function isScramMechanism(value: unknown): value is ScramMechanism {
  return value === 'SCRAM-SHA-1' || value === 'SCRAM-SHA-256';
}
