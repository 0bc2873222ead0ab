/**
 * Sizes of the reliability cases: a short version always runs (CI); RELIABILITY_SOAK=1 runs the long
 * soak variants. Each case reads its figures from here so docs/reliability.md can quote both.
 */
export const SOAK = process.env['RELIABILITY_SOAK'] === '1';

/** Picks the short or the soak figure. */
export function size<T>(short: T, soak: T): T {
  return SOAK ? soak : short;
}

/** Test timeout for a case: generous for the soak variant. */
export function budget(shortMs: number, soakMs: number): number {
  return SOAK ? soakMs : shortMs;
}
