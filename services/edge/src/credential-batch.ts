import type { UserCredentials, UsersRepository } from '@onlinetime/store';

/** What the edge reads users through: one account's credentials, or null when there is no such user. */
export type CredentialSource = Pick<UsersRepository, 'getCredentials'>;

interface Waiter {
  readonly resolve: (credentials: UserCredentials | null) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Gathers the credential lookups of one turn of the event loop (every login whose `<auth/>` arrived in
 * the same poll phase) into one `getCredentialsMany` query, answered after the poll phase by
 * `setImmediate`. Under load that is one query for many logins instead of one each. Each caller still
 * gets exactly what `getCredentials` would give: the credentials, null for no such user, or the
 * query's error. Without `getCredentialsMany` (test doubles), lookups go one by one.
 */
export function batchCredentialLookups(
  users: CredentialSource & Partial<Pick<UsersRepository, 'getCredentialsMany'>>,
): CredentialSource {
  if (users.getCredentialsMany === undefined) return { getCredentials: (jid) => users.getCredentials(jid) };
  const source = users as Pick<UsersRepository, 'getCredentialsMany'>;
  let pending = new Map<string, Waiter[]>();

  const flush = (): void => {
    const batch = pending;
    pending = new Map();
    let answer: Promise<Map<string, UserCredentials>>;
    try {
      answer = source.getCredentialsMany([...batch.keys()]);
    } catch (err) {
      answer = Promise.reject(err);
    }
    answer.then(
      (found) => {
        for (const [jid, waiters] of batch) {
          const credentials = found.get(jid) ?? null;
          for (const waiter of waiters) waiter.resolve(credentials);
        }
      },
      (err: unknown) => {
        for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(err);
      },
    );
  };

  return {
    getCredentials(jid) {
      return new Promise((resolve, reject) => {
        if (pending.size === 0) setImmediate(flush);
        const waiters = pending.get(jid);
        if (waiters === undefined) pending.set(jid, [{ resolve, reject }]);
        else waiters.push({ resolve, reject });
      });
    },
  };
}
