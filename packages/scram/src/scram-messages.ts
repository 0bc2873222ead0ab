import { decodeBase64Canonical } from './base64.js';
import { SaslFailure } from './sasl-failure.js';

/** RFC 5802 §7 grammar for the two client messages. Every violation is `malformed-request`. */

export interface ClientFirstMessage {
  /** Exactly as sent, e.g. `n,,` or `y,a=juliet,`: what c= must echo. */
  readonly gs2Header: string;
  /** Decoded (=2C, =3D) but not SASLprep'd; undefined when absent. */
  readonly authzid: string | undefined;
  /** Decoded (=2C, =3D) but not SASLprep'd. */
  readonly username: string;
  readonly clientNonce: string;
  /** client-first-message-bare exactly as sent: the start of the AuthMessage. */
  readonly bare: string;
}

export interface ClientFinalMessage {
  readonly channelBinding: Buffer;
  readonly nonce: string;
  readonly proof: Buffer;
  /** client-final-message-without-proof exactly as sent: the end of the AuthMessage. */
  readonly withoutProof: string;
}

const PRINTABLE = /^[\x21-\x2B\x2D-\x7E]+$/;
const EXTENSION = /^[A-Za-z]=[^,\0]+$/;

function malformed(message: string): SaslFailure {
  return new SaslFailure('malformed-request', message);
}

/** True for a valid RFC 5802 nonce: one or more printable ASCII characters other than ','. */
export function isPrintableNonce(value: string): boolean {
  return PRINTABLE.test(value);
}

/** saslname: only =2C (',') and =3D ('=') escapes; any other '=' and empty names are rejected. */
export function decodeSaslname(value: string, what: string): string {
  if (value.length === 0) throw malformed(`empty ${what}`);
  let out = '';
  for (let i = 0; i < value.length; i += 1) {
    const ch = value[i];
    if (ch !== '=') {
      out += ch;
      continue;
    }
    const escape = value.slice(i + 1, i + 3);
    if (escape === '2C') out += ',';
    else if (escape === '3D') out += '=';
    else throw malformed(`invalid escape in ${what}`);
    i += 2;
  }
  return out;
}

function attribute(part: string | undefined, name: string): string {
  if (part === undefined || !part.startsWith(`${name}=`)) throw malformed(`expected attribute ${name}=`);
  return part.slice(name.length + 1);
}

function checkExtensions(parts: readonly string[]): void {
  for (const part of parts) {
    if (part.startsWith('m=')) throw malformed('mandatory extensions (m=) are not supported');
    if (!EXTENSION.test(part)) throw malformed('invalid attribute');
  }
}

export function parseClientFirst(text: string): ClientFirstMessage {
  if (text.includes('\0')) throw malformed('NUL in message');
  const parts = text.split(',');
  const flag = parts[0];
  if (flag !== undefined && flag.startsWith('p=')) {
    throw malformed('channel binding is not supported by this mechanism (no -PLUS offered)');
  }
  if (flag !== 'n' && flag !== 'y') throw malformed('missing or invalid GS2 header');
  const authzPart = parts[1];
  if (authzPart === undefined) throw malformed('missing or invalid GS2 header');
  const authzid = authzPart === '' ? undefined : decodeSaslname(attribute(authzPart, 'a'), 'authzid');
  if (parts[2]?.startsWith('m=')) throw malformed('mandatory extensions (m=) are not supported');
  const username = decodeSaslname(attribute(parts[2], 'n'), 'username');
  const clientNonce = attribute(parts[3], 'r');
  if (!isPrintableNonce(clientNonce)) throw malformed('invalid client nonce');
  checkExtensions(parts.slice(4));
  const gs2Header = `${flag},${authzPart},`;
  return { gs2Header, authzid, username, clientNonce, bare: text.slice(gs2Header.length) };
}

export function parseClientFinal(text: string): ClientFinalMessage {
  if (text.includes('\0')) throw malformed('NUL in message');
  const parts = text.split(',');
  const channelBinding = decodeBase64Canonical(attribute(parts[0], 'c'));
  if (channelBinding === null) throw malformed('channel binding (c=) is not valid base64');
  const nonce = attribute(parts[1], 'r');
  if (!isPrintableNonce(nonce)) throw malformed('invalid nonce');
  const last = parts.length > 2 ? parts[parts.length - 1] : undefined;
  if (last === undefined || !last.startsWith('p=')) throw malformed('missing proof (p=)');
  const proof = decodeBase64Canonical(last.slice(2));
  if (proof === null || proof.length === 0) throw malformed('proof (p=) is not valid base64');
  checkExtensions(parts.slice(2, -1));
  return { channelBinding, nonce, proof, withoutProof: parts.slice(0, -1).join(',') };
}
