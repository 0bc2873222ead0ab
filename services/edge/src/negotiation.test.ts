import { describe, expect, it } from 'vitest';

import type { Connection } from './connection.js';
import { features, featuresText, type NegotiationPolicy } from './negotiation.js';

type State = Pick<Connection, 'user' | 'session' | 'secure'>;
const user = { local: 'alice', bare: 'alice@localhost' };
const states: State[] = [
  { user: null, session: null, secure: false },
  { user: null, session: null, secure: true },
  { user, session: null, secure: false },
  { user, session: null, secure: true },
  { user, session: { id: 's1', jid: 'alice@localhost/r' }, secure: true },
];

describe('featuresText', () => {
  it('equals the features element for every stream state and policy, also when cached', () => {
    for (const starttls of [true, false]) {
      for (const allowPlaintext of [true, false]) {
        const policy: NegotiationPolicy = { domains: ['localhost'], starttls, allowPlaintext };
        for (let round = 0; round < 2; round += 1) {
          for (const state of states) {
            const connection = state as Connection;
            expect(featuresText(connection, policy)).toBe(features(connection, policy).toString());
          }
        }
      }
    }
  });
});
