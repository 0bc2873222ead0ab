import { ConfigError } from '@onlinetime/errors';
import { readConfig } from '@onlinetime/config';
import { describe, expect, it } from 'vitest';

import { RESPONDER_VARIABLES } from './config.js';

describe('RESPONDER_VARIABLES', () => {
  it('when only the defaults apply, then localhost and 64 KiB', () => {
    const config = readConfig(RESPONDER_VARIABLES, {});

    expect(config).toEqual({
      kafkaBrokers: undefined,
      mysqlUrl: undefined,
      metricsPort: 9100,
      logLevel: 'info',
      stopTimeoutMs: 60_000,
      xmppDomains: ['localhost'],
      vcardMaxBytes: 65536,
    });
  });

  it('when domains and a limit are given, then they are normalised and parsed', () => {
    const config = readConfig(RESPONDER_VARIABLES, {
      XMPP_DOMAINS: 'YouBao.com, 91youbao.com.',
      VCARD_MAX_BYTES: '2048',
    });

    expect([config.xmppDomains, config.vcardMaxBytes]).toEqual([['youbao.com', '91youbao.com'], 2048]);
  });

  it('when values are invalid, then every problem is reported at once', () => {
    const read = () => readConfig(RESPONDER_VARIABLES, { XMPP_DOMAINS: 'a b', VCARD_MAX_BYTES: '12' });

    expect(read).toThrow(ConfigError);
    expect(() => read()).toThrow(/XMPP_DOMAINS[\s\S]*VCARD_MAX_BYTES/);
  });
});
