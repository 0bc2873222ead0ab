import { readConfig } from '@onlinetime/config';
import { describe, expect, it } from 'vitest';

import { EDGE_VARIABLES, edgeConfigProblems } from './config.js';

const problemsOf = (env: Record<string, string>) => edgeConfigProblems(readConfig(EDGE_VARIABLES, env));

describe('edgeConfigProblems', () => {
  it('when only the defaults apply, then there is no problem', () => {
    expect(problemsOf({})).toEqual([]);
  });

  it('when STARTTLS is off and plaintext is not allowed, then XMPP_STARTTLS is named', () => {
    expect(problemsOf({ XMPP_STARTTLS: 'false', XMPP_ALLOW_PLAINTEXT: 'false' })).toEqual([
      { variable: 'XMPP_STARTTLS', message: 'false needs XMPP_ALLOW_PLAINTEXT=true' },
    ]);
  });

  it('when the flush bound is not below the stop bound, then SHUTDOWN_TIMEOUT_MS is named with the stop bound', () => {
    expect(problemsOf({ SHUTDOWN_TIMEOUT_MS: '20000', STOP_TIMEOUT_MS: '20000' })).toEqual([
      {
        variable: 'SHUTDOWN_TIMEOUT_MS',
        message: 'must be below STOP_TIMEOUT_MS (20000), which bounds the whole stop',
      },
    ]);
    expect(problemsOf({ SHUTDOWN_TIMEOUT_MS: '19999', STOP_TIMEOUT_MS: '20000' })).toEqual([]);
  });
});
