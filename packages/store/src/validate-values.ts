/**
 * Runtime checks of single values at the store boundary, shared by both implementations so that the
 * memory store rejects exactly what MySQL would reject (or silently mangle).
 */
import { OnlinetimeError } from '@onlinetime/errors';

/** Column sizes of migrations/001_initial.sql, in characters (code points) unless named bytes. */
export const LIMITS = {
  key: 255,
  topic: 249,
  resource: 1023,
  ip: 64,
  reason: 64,
  saltBytes: 255,
  keyBytes: 64,
  /** Well below MEDIUMTEXT (16 MiB - 1) and the default max_allowed_packet of both servers. */
  vcardBytes: 8 * 1024 * 1024,
} as const;

const MAX_OFFSET = (1n << 63n) - 1n;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F]/;

export function invalid(field: string, problem: string): OnlinetimeError {
  return new OnlinetimeError('STORE_INVALID_VALUE', `invalid ${field}: ${problem}`, { context: { field } });
}

/** String.prototype.isWellFormed (Node 20; not in the ES2023 lib typings), else a regex. */
function isWellFormed(value: string): boolean {
  const native = (value as unknown as { isWellFormed?: () => boolean }).isWellFormed;
  return typeof native === 'function' ? native.call(value) : !LONE_SURROGATE.test(value);
}

function codePoints(value: string): number {
  let n = 0;
  for (const _ of value) n += 1;
  return n;
}

/** Text stored as utf8mb4: lone surrogates could not round-trip byte for byte, so they are refused. */
export function checkText(field: string, value: unknown, maxChars: number): string {
  if (typeof value !== 'string') throw invalid(field, 'must be a string');
  if (value.length > maxChars && codePoints(value) > maxChars)
    throw invalid(field, `longer than ${maxChars} characters`);
  if (!isWellFormed(value)) throw invalid(field, 'contains a lone surrogate (not valid Unicode)');
  return value;
}

export function checkTextOrNull(field: string, value: unknown, maxChars: number): string | null {
  return value === null ? null : checkText(field, value, maxChars);
}

/**
 * Key columns (JIDs, ids) use utf8mb4_bin, a PAD SPACE collation on both servers: 'a' and 'a ' would be
 * the same key and control characters would sort oddly. Keys are therefore non-empty, without control
 * characters and without trailing spaces; then SQL order and equality match JavaScript code point order.
 */
export function checkKey(field: string, value: unknown, maxChars: number = LIMITS.key): string {
  const text = checkText(field, value, maxChars);
  if (text.length === 0) throw invalid(field, 'must not be empty');
  if (CONTROL.test(text)) throw invalid(field, 'contains a control character');
  if (text.endsWith(' ')) throw invalid(field, 'ends with a space');
  return text;
}

/** Epoch milliseconds and durations: stored as BIGINT, handled as safe integers. */
export function checkMs(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw invalid(field, 'must be a safe integer');
  return value;
}

export function checkMsOrNull(field: string, value: unknown): number | null {
  return value === null ? null : checkMs(field, value);
}

/** Kafka offsets travel as decimal strings; stored as BIGINT (signed, as Kafka's are). */
export function checkOffset(field: string, value: unknown): string {
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]{0,18})$/.test(value) || BigInt(value) > MAX_OFFSET) {
    throw invalid(field, 'must be a non-negative decimal integer string below 2^63');
  }
  return value;
}

export function checkInt(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(field, `must be an integer in ${min}..${max}`);
  }
  return value;
}

export function checkBytes(field: string, value: unknown, maxBytes: number): Buffer {
  if (!Buffer.isBuffer(value)) throw invalid(field, 'must be a Buffer');
  if (value.length === 0 || value.length > maxBytes) throw invalid(field, `must be 1..${maxBytes} bytes`);
  return value;
}

export function checkArray(field: string, value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) throw invalid(field, 'must be an array');
  return value;
}

export function checkKeys(field: string, value: unknown): string[] {
  return checkArray(field, value).map((item, i) => checkKey(`${field}[${i}]`, item));
}

/** A single lookup key: any string (an odd one is simply not found). */
export function checkLookupKey(field: string, value: unknown): string {
  if (typeof value !== 'string') throw invalid(field, 'must be a string');
  return value;
}

/** vCard XML text: any well-formed Unicode, at most LIMITS.vcardBytes of UTF-8. */
export function checkVcardXml(value: unknown): string {
  if (typeof value !== 'string') throw invalid('xml', 'must be a string');
  if (Buffer.byteLength(value) > LIMITS.vcardBytes)
    throw invalid('xml', `longer than ${LIMITS.vcardBytes} bytes`);
  if (!isWellFormed(value)) throw invalid('xml', 'contains a lone surrogate (not valid Unicode)');
  return value;
}
