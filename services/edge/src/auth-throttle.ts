import type { Logger } from '@onlinetime/logging';

export interface AuthThrottleOptions {
  /** Failures per key (within the window) answered without delay. */
  readonly failuresBeforeDelay: number;
  /** Delay added per failure beyond `failuresBeforeDelay`, capped at ten times this. */
  readonly delayMs: number;
  /** Failures per key within the window after which the key is refused for `blockMs`. */
  readonly failuresBeforeBlock: number;
  readonly windowMs: number;
  readonly blockMs: number;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Keys remembered at most (oldest forgotten first). Default 100000. */
  readonly maxKeys?: number;
}

/**
 * Slows, then refuses, logins from an address or for an account with repeated failures. Keys are
 * `ip:<address>` and `account:<bare JID>`; a success clears the account's count (never the address's,
 * so one valid account cannot launder an address's failures). Refusing an account can be abused to
 * lock a user out for `blockMs`; that is the accepted price of slowing password guessing.
 */
export interface AuthThrottle {
  /** Epoch ms until which one of the keys is refused, or null. */
  blockedUntil(keys: readonly string[]): number | null;
  /** Records a failure of each key; returns the delay to apply before answering. */
  recordFailure(keys: readonly string[]): number;
  recordSuccess(accountKey: string): void;
}

interface Entry {
  failures: number;
  since: number;
  blockedUntil: number;
}

export function createAuthThrottle(options: AuthThrottleOptions): AuthThrottle {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 100_000;
  const entries = new Map<string, Entry>();

  const current = (key: string, t: number): Entry | undefined => {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    const blocked = entry.blockedUntil > t;
    if (!blocked && (entry.blockedUntil > 0 || t - entry.since > options.windowMs)) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  return {
    blockedUntil(keys) {
      const t = now();
      let until: number | null = null;
      for (const key of keys) {
        const entry = current(key, t);
        if (entry !== undefined && entry.blockedUntil > t) until = Math.max(until ?? 0, entry.blockedUntil);
      }
      return until;
    },
    recordFailure(keys) {
      const t = now();
      let delay = 0;
      for (const key of keys) {
        let entry = current(key, t);
        if (entry === undefined) {
          entry = { failures: 0, since: t, blockedUntil: 0 };
          entries.set(key, entry);
          if (entries.size > maxKeys) entries.delete(entries.keys().next().value as string);
        }
        entry.failures++;
        if (entry.failures >= options.failuresBeforeBlock && entry.blockedUntil === 0) {
          entry.blockedUntil = t + options.blockMs;
          options.logger.warn(
            { key, failures: entry.failures, blockedForMs: options.blockMs },
            'too many failed logins: refusing logins for this key for a while',
          );
        }
        const beyond = entry.failures - options.failuresBeforeDelay;
        if (beyond > 0) delay = Math.max(delay, Math.min(beyond, 10) * options.delayMs);
      }
      return delay;
    },
    recordSuccess(accountKey) {
      entries.delete(accountKey);
    },
  };
}
