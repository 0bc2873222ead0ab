import saslprep from 'saslprep';

/**
 * RFC 4013 SASLprep. Stored strings (a password being set) reject unassigned code points; query strings
 * (what a client sends to log in) allow them (RFC 3454 §7). Null when the string is rejected or prepares
 * to nothing.
 */
export function prepareStored(input: string): string | null {
  return prepare(input, false);
}

export function prepareQuery(input: string): string | null {
  return prepare(input, true);
}

function prepare(input: string, allowUnassigned: boolean): string | null {
  if (isPrintableAscii(input)) return input.length > 0 ? input : null;
  return saslprepModule(input, allowUnassigned);
}

/**
 * SASLprep maps, normalises and prohibits only characters outside U+0020..U+007E (ASCII space is
 * allowed; controls are not), so such strings prepare to themselves: most usernames skip the tables.
 */
function isPrintableAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** The general path (exported for the equivalence tests). */
export function saslprepModule(input: string, allowUnassigned: boolean): string | null {
  try {
    const prepared = saslprep(input, { allowUnassigned });
    return prepared.length > 0 ? prepared : null;
  } catch {
    return null;
  }
}
