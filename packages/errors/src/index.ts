export { OnlinetimeError, isOnlinetimeError } from './onlinetime-error.js';
export { ConfigError, type ConfigProblem } from './config-error.js';
export { EventDecodeError } from './event-decode-error.js';
export { StanzaError, StreamError, type StanzaErrorType } from './xmpp-error.js';
