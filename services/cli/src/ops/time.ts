import { OnlinetimeError } from '@onlinetime/errors';

/**
 * A point in time given on the command line: epoch milliseconds (digits only) or an ISO 8601 date or
 * date-time (`2024-05-01`, `2024-05-01T12:00:00Z`; without a zone it is UTC). `earliest` (for --from)
 * means no lower bound: returns null.
 */
export function parseTimeArg(option: string, raw: string): number | null {
  if (raw === 'earliest' && option === 'from') return null;
  if (/^\d+$/.test(raw)) return Number(raw);
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(raw)) {
    const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(raw) || raw.length === 10 ? raw : `${raw}Z`;
    const value = Date.parse(zoned.replace(' ', 'T'));
    if (!Number.isNaN(value)) return value;
  }
  throw new OnlinetimeError(
    'USAGE',
    `--${option} ${JSON.stringify(raw)}: expected ${option === 'from' ? '"earliest", ' : ''}epoch milliseconds or an ISO 8601 date/time (e.g. 2024-05-01T12:00:00Z)`,
  );
}

/** ISO 8601 UTC, or `-` for none. */
export function isoOrDash(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString();
}

/** `3d 04:05:06.789` style duration of milliseconds, for humans. */
export function humanMs(ms: number): string {
  const negative = ms < 0;
  let rest = Math.abs(Math.round(ms));
  const days = Math.floor(rest / 86_400_000);
  rest -= days * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  const milli = rest - s * 1000;
  const clock = `${pad(h)}:${pad(m)}:${pad(s)}.${String(milli).padStart(3, '0')}`;
  return `${negative ? '-' : ''}${days > 0 ? `${days}d ` : ''}${clock}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
