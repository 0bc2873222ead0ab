export {
  createResponder,
  RESPONDER_GROUP_ID,
  type Responder,
  type ResponderConfig,
  type ResponderDeps,
  type ResponderStore,
} from './responder.js';
export { RESPONDER_VARIABLES, DEFAULT_VCARD_MAX_BYTES } from './config.js';
export { answerBatch, type AnswerBatchDeps, type OutgoingReply } from './answer-batch.js';
export { createBatchLookup, type LookupStore } from './batch-lookup.js';
export { createRouter, type Router, type RoutedIq, type IqPlan, type IqOutcome } from './router.js';
export { createHandlers } from './handlers/index.js';
export { createOnlineTimeHandlers } from './handlers/onlinetime.js';
export { createVcardHandler, YB_ONLINETIME, type VcardHandlerOptions } from './handlers/vcard.js';
export { createLastActivityHandler } from './handlers/last-activity.js';
export type { IqHandler, IqMethod, IqTarget, HandlerRequest, BatchLookup, Prefetch } from './iq-handler.js';
export { resolveTarget } from './target.js';
export { resultReply, errorReply, type ReplyAddress } from './reply.js';
