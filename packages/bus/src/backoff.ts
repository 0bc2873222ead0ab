/** Exponential backoff for redelivery after a failed batch: initialMs, 2x per attempt, capped. */
export interface BackoffSettings {
  readonly initialMs: number;
  readonly maxMs: number;
}

export function backoffDelay(attempt: number, settings: BackoffSettings): number {
  return Math.min(settings.maxMs, settings.initialMs * 2 ** Math.min(attempt, 30));
}

/** A one-shot signal: `wait(ms)` resolves after ms, or at once when the signal fires. */
export interface StopSignal {
  readonly fired: boolean;
  fire(): void;
  wait(ms: number): Promise<void>;
}

export function createStopSignal(): StopSignal {
  let fired = false;
  const waiters = new Set<() => void>();
  return {
    get fired() {
      return fired;
    },
    fire() {
      fired = true;
      for (const wake of waiters) wake();
      waiters.clear();
    },
    wait(ms) {
      if (fired) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, ms);
        waiters.add(wake);
      });
    },
  };
}
