import { ConfigError } from '@onlinetime/errors';
import { describe, expect, it } from 'vitest';

import * as p from './parsers.js';
import { describeVariables, readConfig } from './read-config.js';

const specs = {
  port: { name: 'XMPP_PORT', description: 'port', default: '5222', parse: p.port },
  domains: { name: 'XMPP_DOMAINS', description: 'domains', default: 'localhost', parse: p.list },
  url: { name: 'MYSQL_URL', description: 'db', required: true, parse: p.mysqlUrl },
  brokers: { name: 'KAFKA_BROKERS', description: 'kafka', parse: p.brokers },
} as const;

describe('readConfig', () => {
  it('applies defaults and parses values', () => {
    const config = readConfig(specs, {
      MYSQL_URL: 'mysql://root@127.0.0.1:3306/db',
      XMPP_DOMAINS: 'a.example, b.example',
    });
    expect(config).toEqual({
      port: 5222,
      domains: ['a.example', 'b.example'],
      url: 'mysql://root@127.0.0.1:3306/db',
      brokers: undefined,
    });
  });

  it('reports every problem at once, each naming its variable', () => {
    let error: ConfigError | undefined;
    try {
      readConfig(specs, { XMPP_PORT: '70000', KAFKA_BROKERS: 'nohostport' });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.problems.map((x) => x.variable)).toEqual(['XMPP_PORT', 'MYSQL_URL', 'KAFKA_BROKERS']);
    expect(error?.message).toContain('XMPP_PORT: must be an integer between 0 and 65535 (got "70000")');
    expect(error?.message).toContain('MYSQL_URL: is required but not set');
  });

  it('lists variables with their defaults for --help', () => {
    const text = describeVariables(specs);
    expect(text).toMatch(/XMPP_PORT\s+5222\s+port/);
    expect(text).toMatch(/MYSQL_URL\s+\(required\)\s+db/);
  });
});
