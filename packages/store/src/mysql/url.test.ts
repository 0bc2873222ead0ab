import { describe, expect, it } from 'vitest';

import { checkDatabaseName, parseMysqlUrl } from './url.js';

describe('parseMysqlUrl', () => {
  it('reads user, password, host, port and database', () => {
    expect(parseMysqlUrl('mysql://app:p%40ss%2Fw@db.example:3307/onlinetime')).toEqual({
      host: 'db.example',
      port: 3307,
      user: 'app',
      password: 'p@ss/w',
      database: 'onlinetime',
    });
    expect(parseMysqlUrl('mysql://root@127.0.0.1/x?socketPath=/run/mysqld/mysqld.sock')).toMatchObject({
      port: 3306,
      password: '',
      socketPath: '/run/mysqld/mysqld.sock',
    });
  });

  it('rejects what it cannot use without echoing the password', () => {
    for (const url of [
      'not a url',
      'postgres://u:secret@h/db',
      'mysql://u:secret@h',
      'mysql://u:secret@h/db?ssl=1',
    ]) {
      expect(() => parseMysqlUrl(url)).toThrow(expect.objectContaining({ code: 'MYSQL_URL_INVALID' }));
      try {
        parseMysqlUrl(url);
      } catch (err) {
        expect((err as Error).message).not.toContain('secret');
      }
    }
  });
});

describe('checkDatabaseName', () => {
  it('accepts plain identifiers only', () => {
    expect(checkDatabaseName('onlinetime_test_1a')).toBe('onlinetime_test_1a');
    for (const name of ['', 'a-b', 'a`b', 'a;DROP', 'x'.repeat(65), 'é']) {
      expect(() => checkDatabaseName(name)).toThrow(expect.objectContaining({ code: 'MYSQL_URL_INVALID' }));
    }
  });
});
