import type { UserState } from './types.js';

type Totals = Pick<UserState, 'totalMs' | 'onlineSince'>;

/** Online milliseconds at `now`: closed stretches plus the current one (architecture.md). */
export function onlineMs(state: Totals, now: number): number {
  return state.totalMs + (state.onlineSince === null ? 0 : Math.max(0, now - state.onlineSince));
}

/** Whole minutes reported to clients: floor((total + current stretch) / 60 000). */
export function minutesOnline(state: Totals, now: number): number {
  return Math.floor(onlineMs(state, now) / 60_000);
}
