export type { UserState, OpenSession, FinishedSession } from './types.js';
export { emptyUserState } from './types.js';
export { applySessionsEvent, type ApplyOutcome, type SeenSessions } from './apply.js';
export { minutesOnline, onlineMs } from './minutes.js';
export { createReplayAccumulator, type ReplayAccumulator } from './replay.js';
export { createFinishedIds, type FinishedIds } from './finished-ids.js';
