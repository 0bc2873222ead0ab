/** The SCRAM hash families we implement (RFC 5802, RFC 7677). No -PLUS variants: no channel binding. */
export type ScramMechanism = 'SCRAM-SHA-1' | 'SCRAM-SHA-256';

/**
 * RFC 5802 §3 server-side keys for one mechanism; the password is never kept. Structurally the same as
 * `ScramKeys` of @onlinetime/store, so either can be passed where the other is expected.
 */
export interface ScramKeys {
  readonly salt: Buffer;
  readonly iterations: number;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}
