/** One IQ published to the responder and not yet answered. */
export interface PendingIq {
  readonly sessionId: string;
  readonly id: string;
  /** The request's normalised `to`, if it had one (the timeout error comes from it). */
  readonly to: string | undefined;
  readonly sentAt: number;
}

export interface PendingIqsOptions {
  readonly timeoutMs: number;
  /** Most pending IQs per session. */
  readonly maxPerSession: number;
  readonly onTimeout: (iq: PendingIq) => void;
  readonly now?: () => number;
}

/**
 * Pending responder IQs per session, each with its timeout: a reply takes its entry (so each IQ is
 * answered exactly once, by the reply or by the timeout), and a closed session drops its entries.
 */
export class PendingIqs {
  private readonly sessions = new Map<string, Map<string, { iq: PendingIq; timer: NodeJS.Timeout }>>();
  private readonly now: () => number;

  constructor(private readonly options: PendingIqsOptions) {
    this.now = options.now ?? Date.now;
  }

  add(sessionId: string, id: string, to: string | undefined): 'added' | 'duplicate' | 'full' {
    let entries = this.sessions.get(sessionId);
    if (entries?.has(id) === true) return 'duplicate';
    if (entries !== undefined && entries.size >= this.options.maxPerSession) return 'full';
    if (entries === undefined) {
      entries = new Map();
      this.sessions.set(sessionId, entries);
    }
    const iq: PendingIq = { sessionId, id, to, sentAt: this.now() };
    const timer = setTimeout(() => {
      if (this.take(sessionId, id) !== undefined) this.options.onTimeout(iq);
    }, this.options.timeoutMs);
    timer.unref();
    entries.set(id, { iq, timer });
    return 'added';
  }

  /** Removes and returns the pending IQ (clearing its timer), or undefined when unknown or already answered. */
  take(sessionId: string, id: string): PendingIq | undefined {
    const entries = this.sessions.get(sessionId);
    const entry = entries?.get(id);
    if (entries === undefined || entry === undefined) return undefined;
    clearTimeout(entry.timer);
    entries.delete(id);
    if (entries.size === 0) this.sessions.delete(sessionId);
    return entry.iq;
  }

  dropSession(sessionId: string): void {
    const entries = this.sessions.get(sessionId);
    if (entries === undefined) return;
    for (const { timer } of entries.values()) clearTimeout(timer);
    this.sessions.delete(sessionId);
  }

  count(sessionId?: string): number {
    if (sessionId !== undefined) return this.sessions.get(sessionId)?.size ?? 0;
    let total = 0;
    for (const entries of this.sessions.values()) total += entries.size;
    return total;
  }
}
