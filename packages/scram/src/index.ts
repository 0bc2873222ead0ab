export type { ScramKeys, ScramMechanism } from './types.js';
export { MECHANISMS, DEFAULT_ITERATIONS, type SaslMechanism } from './mechanisms.js';
export { SaslFailure, type SaslFailureCondition } from './sasl-failure.js';
export { decodeBase64Strict } from './base64.js';
export { deriveScramKeys, type DeriveScramKeysOptions } from './derive-keys.js';
export {
  createScramServer,
  type ScramServer,
  type ScramServerOptions,
  type ScramServerResult,
} from './scram-server.js';
export { parsePlain, verifyPlain, type PlainCredentials } from './plain.js';
export { fakeScramKeys } from './fake-keys.js';
