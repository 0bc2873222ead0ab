import { OnlinetimeError } from '@onlinetime/errors';

/**
 * Normalises a bare JID given by an operator (`user add ALICE@Example.COM` → `alice@example.com`).
 *
 * A small local stand-in for RFC 7622 (PRECIS UsernameCaseMapped for the localpart, IDNA for the
 * domain) until @onlinetime/stanza exports JID helpers: NFKC (width and compatibility mapping),
 * lower case, then the characters RFC 7622 §3.3.1 forbids in a localpart, and an LDH domain name.
 * Throws OnlinetimeError code INPUT_INVALID (exit 2) naming what is wrong.
 */
export function normaliseBareJid(input: string): string {
  const at = input.indexOf('@');
  if (at <= 0 || at !== input.lastIndexOf('@')) {
    throw usage(input, 'expected USER@DOMAIN (one @, a non-empty user part)');
  }
  if (input.includes('/')) throw usage(input, 'a bare JID has no /resource');
  const local = normaliseLocalpart(input.slice(0, at), input);
  const domain = normaliseDomain(input.slice(at + 1), input);
  return `${local}@${domain}`;
}

/** Normalises a localpart alone (ejabberd stores user names without the domain). */
export function normaliseLocalpart(raw: string, shown = raw): string {
  const local = raw.normalize('NFKC').toLowerCase().normalize('NFC');
  if (local.length === 0) throw usage(shown, 'the user part is empty');
  if (Buffer.byteLength(local) > 1023) throw usage(shown, 'the user part is longer than 1023 bytes');
  // RFC 7622 §3.3.1: " & ' / : < > @ and space are not allowed; PRECIS IdentifierClass: no controls.
  if (/["&'/:<>@\s\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zs}]/u.test(local)) {
    throw usage(
      shown,
      'the user part contains a character JIDs do not allow (space, " & \' / : < > @ or a control)',
    );
  }
  return local;
}

export function normaliseDomain(raw: string, shown = raw): string {
  const domain = raw.normalize('NFKC').toLowerCase().replace(/\.$/, '');
  if (domain.length === 0) throw usage(shown, 'the domain is empty');
  if (domain.length > 253) throw usage(shown, 'the domain is longer than 253 characters');
  const labels = domain.split('.');
  for (const label of labels) {
    if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(label)) {
      throw usage(
        shown,
        `the domain label "${label}" is not a valid host name label (letters, digits, inner hyphens)`,
      );
    }
  }
  return domain;
}

function usage(input: string, message: string): OnlinetimeError {
  return new OnlinetimeError('INPUT_INVALID', `invalid JID ${JSON.stringify(input)}: ${message}`);
}
