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
  try {
    const prepared = saslprep(input, { allowUnassigned });
    return prepared.length > 0 ? prepared : null;
  } catch {
    return null;
  }
}
