export interface InboxOptions<T> {
  /** Handles one item; the next waits until it settles. */
  readonly handle: (item: T) => void | Promise<void>;
  /** Above `high` queued items (reading should pause) / back under `low` (reading may resume). */
  readonly high: number;
  readonly low: number;
  readonly onHigh: () => void;
  readonly onLow: () => void;
  /** A handler threw: the inbox stops. */
  readonly onError: (err: unknown) => void;
}

/** A connection's ordered work queue: one item at a time, with back-pressure signals. */
export class Inbox<T> {
  private readonly items: T[] = [];
  private draining = false;
  private stopped = false;

  constructor(private readonly options: InboxOptions<T>) {}

  push(item: T): void {
    if (this.stopped) return;
    this.items.push(item);
    if (this.items.length > this.options.high) this.options.onHigh();
    void this.drain();
  }

  /** Drops what is queued and ignores what comes. */
  stop(): void {
    this.stopped = true;
    this.items.length = 0;
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.items.length > 0 && !this.stopped) {
        await this.options.handle(this.items.shift() as T);
        if (this.items.length < this.options.low) this.options.onLow();
      }
    } catch (err) {
      this.stop();
      this.options.onError(err);
    } finally {
      this.draining = false;
    }
  }
}
