export { createEdge, type Edge, type EdgeDeps } from './edge.js';
export { EDGE_VARIABLES, type EdgeConfig } from './config.js';
export type { EdgeEvents } from './context.js';
export { SERVER_FEATURES } from './server-iqs.js';
