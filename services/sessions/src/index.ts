export { SESSIONS_VARIABLES, type SessionsConfig } from './config.js';
export {
  createSessionsWorker,
  DEFAULT_SESSIONS_GROUP,
  type SessionsWorker,
  type SessionsWorkerOptions,
  type SessionsWorkerEvents,
  type BatchApplied,
} from './worker.js';
export { applyBatch, type BatchResult } from './apply-batch.js';
export {
  decodeBatch,
  decodeSessionsMessage,
  Rejection,
  SESSIONS_EVENT_TYPES,
  type DecodedBatch,
  type DecodedMessage,
  type InvalidMessage,
} from './decode-batch.js';
export {
  createReaper,
  DEFAULT_REAPER_GROUP,
  type Reaper,
  type ReaperOptions,
  type ReaperEvents,
} from './reaper/reaper.js';
export {
  planSweep,
  type ReapTarget,
  type ReapCause,
  type SweepPlan,
  type SweepPlanInput,
} from './reaper/plan.js';
export { reapRecord, type SweepResult } from './reaper/sweep.js';
export { foldEdgeEvents } from './reaper/boots.js';
export {
  createSessionsService,
  type SessionsService,
  type SessionsServiceOptions,
  type SessionsServiceConfig,
} from './service.js';
export type { Hooks } from './emitter.js';
