/** Progress of a long read on stderr: a redrawn bar on a terminal, plain periodic lines otherwise. */
export interface Progress {
  /** `count` more items done. Cheap: call it per batch. */
  add(count: number): void;
  /** Final line; returns the elapsed milliseconds. */
  finish(): number;
}

export interface ProgressOptions {
  /** Prefix of every line, e.g. `audit`. */
  readonly label: string;
  /** What is counted, e.g. `events`. */
  readonly unit: string;
  /** Expected total, 0 when unknown. */
  readonly total: number;
  readonly stream: NodeJS.WritableStream & { isTTY?: boolean };
  /** Interval of plain lines (not a TTY); default 5 s. */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

const BAR_WIDTH = 24;
const TTY_REDRAW_MS = 100;

export function createProgress(options: ProgressOptions): Progress {
  const { label, unit, total, stream } = options;
  const now = options.now ?? Date.now;
  const tty = stream.isTTY === true;
  const interval = tty ? TTY_REDRAW_MS : (options.intervalMs ?? 5000);
  const started = now();
  let done = 0;
  let lastShown = started;

  const describe = (at: number): string => {
    const seconds = Math.max((at - started) / 1000, 1e-3);
    const rate = done / seconds;
    const parts = [total > 0 ? `${fmt(done)}/${fmt(total)} ${unit}` : `${fmt(done)} ${unit}`];
    if (total > 0) parts.push(`${Math.floor((Math.min(done, total) / total) * 100)}%`);
    parts.push(`${fmt(Math.round(rate))} ${unit}/s`);
    if (total > 0 && rate > 0 && done < total) parts.push(`ETA ${duration((total - done) / rate)}`);
    return parts.join('  ');
  };

  const bar = (): string => {
    if (total <= 0) return '';
    const filled = Math.round((Math.min(done, total) / total) * BAR_WIDTH);
    return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] `;
  };

  const show = (at: number): void => {
    lastShown = at;
    if (tty) stream.write(`\r\x1b[2K${label} ${bar()}${describe(at)}`);
    else stream.write(`${label}: ${describe(at)}\n`);
  };

  return {
    add(count) {
      done += count;
      const at = now();
      if (at - lastShown >= interval) show(at);
    },
    finish() {
      const at = now();
      const elapsed = at - started;
      const rate = done / Math.max(elapsed / 1000, 1e-3);
      const summary = `read ${fmt(done)} ${unit} in ${duration(elapsed / 1000)} (${fmt(Math.round(rate))} ${unit}/s)`;
      if (tty) stream.write(`\r\x1b[2K${label} ${bar()}${summary}\n`);
      else stream.write(`${label}: ${summary}\n`);
      return elapsed;
    },
  };
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

/** `1:02:03`, `2:03` or `4.2s`. */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}
