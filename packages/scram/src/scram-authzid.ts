import { prepareQuery } from './prep.js';
import { SaslFailure } from './sasl-failure.js';

/**
 * We never authorize as someone else: an authzid is accepted only when absent, equal to the username,
 * or (when the edge passes its domain) equal to `username@domain` with the domain case-insensitive.
 */
export function checkAuthzid(
  authzid: string | undefined,
  username: string,
  domain: string | undefined,
): void {
  if (authzid === undefined) return;
  const prepared = prepareQuery(authzid);
  if (prepared === username) return;
  if (domain !== undefined && prepared !== null) {
    const at = prepared.lastIndexOf('@');
    if (
      at > 0 &&
      prepared.slice(0, at) === username &&
      prepared.slice(at + 1).toLowerCase() === domain.toLowerCase()
    ) {
      return;
    }
  }
  throw new SaslFailure('invalid-authzid', 'the authorization identity must be the authenticated user', {
    context: { authzid, username },
  });
}
