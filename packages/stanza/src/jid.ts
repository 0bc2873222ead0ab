import { OnlinetimeError } from '@onlinetime/errors';

/**
 * JIDs (RFC 7622), a practical subset of PRECIS, applied the same way everywhere:
 * - every part is NFC-normalised and at most 1023 UTF-8 bytes; a present separator needs a non-empty part;
 * - localpart: lower-cased; no whitespace, controls, format/private/unassigned code points, nor "&'/:<>@;
 * - domainpart: lower-cased, one trailing dot dropped; dot-separated labels of letters, marks, digits,
 *   '-' and '_' (1-63 bytes each), or an IP literal ([IPv6] / dotted IPv4); no IDNA conversion;
 * - resourcepart: case kept; other space separators become U+0020; no controls or unassigned code points.
 */
export interface Jid {
  readonly local: string | null;
  readonly domain: string;
  readonly resource: string | null;
}

export class JidError extends OnlinetimeError {
  constructor(message: string, input: string) {
    super('JID_MALFORMED', message, { context: { input: input.slice(0, 100) } });
  }
}

const MAX_PART_BYTES = 1023;
const LOCAL_FORBIDDEN = /["&'/:<>@\p{White_Space}\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Cn}]/u;
const RESOURCE_FORBIDDEN = /[\p{Cc}\p{Cs}\p{Cn}]/u;
const LABEL = /^[\p{L}\p{M}\p{N}_-]+$/u;
const IPV6 = /^\[[0-9a-f:.]+\]$/;

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

export function parseJid(text: string): Jid {
  const slash = text.indexOf('/');
  const resourceRaw = slash === -1 ? null : text.slice(slash + 1);
  const rest = slash === -1 ? text : text.slice(0, slash);
  const at = rest.indexOf('@');
  const localRaw = at === -1 ? null : rest.slice(0, at);
  const domainRaw = at === -1 ? rest : rest.slice(at + 1);
  return {
    local: localRaw === null ? null : normalizeLocalpart(localRaw, text),
    domain: normalizeDomain(domainRaw, text),
    resource: resourceRaw === null ? null : normalizeResource(resourceRaw, text),
  };
}

/** Like parseJid, but null instead of throwing. */
export function tryParseJid(text: string): Jid | null {
  try {
    return parseJid(text);
  } catch (err) {
    if (err instanceof JidError) return null;
    throw err;
  }
}

export function normalizeLocalpart(raw: string, input = raw): string {
  return isAscii(raw, 0x21) ? asciiLocalpart(raw, input) : precisLocalpart(raw, input);
}

export function normalizeDomain(raw: string, input = raw): string {
  return isAscii(raw, 0x21) ? asciiDomain(raw, input) : precisDomain(raw, input);
}

export function normalizeResource(raw: string, input = raw): string {
  return isAscii(raw, 0x20) ? asciiResource(raw, input) : precisResource(raw, input);
}

/**
 * Nearly every JID is printable ASCII, where NFC changes nothing and the Unicode classes reduce to a
 * few characters: the `ascii*` paths give exactly what the `precis*` paths give (jid.test.ts checks
 * it character by character) without their normalisation and Unicode-property regexes.
 */
function isAscii(s: string, lowest: number): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < lowest || c > 0x7e) return false;
  }
  return true;
}

const LOCAL_FORBIDDEN_ASCII = /["&'/:<>@]/;
const LABEL_ASCII = /^[a-z0-9_-]+$/;

function asciiLocalpart(raw: string, input: string): string {
  const local = raw.toLowerCase();
  if (local === '') throw new JidError('empty localpart', input);
  if (local.length > MAX_PART_BYTES) throw new JidError('localpart longer than 1023 bytes', input);
  if (LOCAL_FORBIDDEN_ASCII.test(local)) throw new JidError('forbidden character in localpart', input);
  return local;
}

function asciiDomain(raw: string, input: string): string {
  let domain = raw.toLowerCase();
  if (domain.endsWith('.')) domain = domain.slice(0, -1);
  if (domain === '') throw new JidError('empty domainpart', input);
  if (domain.length > MAX_PART_BYTES) throw new JidError('domainpart longer than 1023 bytes', input);
  if (IPV6.test(domain)) return domain;
  for (const label of domain.split('.')) {
    if (!LABEL_ASCII.test(label) || label.length > 63) throw new JidError('invalid domainpart', input);
  }
  return domain;
}

function asciiResource(raw: string, input: string): string {
  if (raw === '') throw new JidError('empty resourcepart', input);
  if (raw.length > MAX_PART_BYTES) throw new JidError('resourcepart longer than 1023 bytes', input);
  return raw;
}

/** The general path for any input (exported for the equivalence tests). */
export function precisLocalpart(raw: string, input = raw): string {
  const local = raw.normalize('NFC').toLowerCase();
  if (local === '') throw new JidError('empty localpart', input);
  if (bytes(local) > MAX_PART_BYTES) throw new JidError('localpart longer than 1023 bytes', input);
  if (LOCAL_FORBIDDEN.test(local)) throw new JidError('forbidden character in localpart', input);
  return local;
}

/** The general path for any input (exported for the equivalence tests). */
export function precisDomain(raw: string, input = raw): string {
  let domain = raw.normalize('NFC').toLowerCase();
  if (domain.endsWith('.')) domain = domain.slice(0, -1);
  if (domain === '') throw new JidError('empty domainpart', input);
  if (bytes(domain) > MAX_PART_BYTES) throw new JidError('domainpart longer than 1023 bytes', input);
  if (IPV6.test(domain)) return domain;
  for (const label of domain.split('.')) {
    if (!LABEL.test(label) || bytes(label) > 63) throw new JidError('invalid domainpart', input);
  }
  return domain;
}

/** The general path for any input (exported for the equivalence tests). */
export function precisResource(raw: string, input = raw): string {
  const resource = raw.normalize('NFC').replace(/\p{Zs}/gu, ' ');
  if (resource === '') throw new JidError('empty resourcepart', input);
  if (bytes(resource) > MAX_PART_BYTES) throw new JidError('resourcepart longer than 1023 bytes', input);
  if (RESOURCE_FORBIDDEN.test(resource)) throw new JidError('forbidden character in resourcepart', input);
  return resource;
}

/** `local@domain` (or `domain`). */
export function bareJidOf(jid: Jid): string {
  return jid.local === null ? jid.domain : `${jid.local}@${jid.domain}`;
}

/** The canonical text of a JID. */
export function jidToString(jid: Jid): string {
  const bare = bareJidOf(jid);
  return jid.resource === null ? bare : `${bare}/${jid.resource}`;
}

export function withResource(jid: Jid, resource: string): Jid {
  return { local: jid.local, domain: jid.domain, resource: normalizeResource(resource) };
}
