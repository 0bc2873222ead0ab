import { SaslFailure } from './sasl-failure.js';

// ignoreBOM keeps a leading U+FEFF so decoding and re-encoding give back the exact bytes (SCRAM signs them).
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Strict UTF-8 decoding of a SASL message; invalid sequences fail with `malformed-request`. */
export function decodeUtf8(message: Buffer): string {
  try {
    return decoder.decode(message);
  } catch {
    throw new SaslFailure('malformed-request', 'the message is not valid UTF-8');
  }
}
