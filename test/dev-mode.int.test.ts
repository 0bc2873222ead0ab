import { xml } from '@xmpp/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { connectClient } from './helpers/xmpp-client.js';
import { startService, type ServiceProcess } from './helpers/processes.js';

// `npm start` = `onlinetime dev`: everything in one process on the embedded bus and in-memory store.
// A real client library logs in as a demo user and asks the product's questions end to end.

let dev: ServiceProcess;

beforeAll(async () => {
  process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = '0'; // dev mode's certificate is self-signed
  dev = await startService('dev', {
    env: { KAFKA_BROKERS: '', MYSQL_URL: '', XMPP_HOST: '127.0.0.1', XMPP_PORT: '0' },
  });
});

afterAll(async () => {
  delete process.env['NODE_TLS_REJECT_UNAUTHORIZED'];
  expect(await dev.stop()).toBe(0);
});

describe('onlinetime dev (embedded defaults)', () => {
  it('says loudly that nothing is persisted', async () => {
    await dev.waitForLine('embedded bus warning', (l) => /KAFKA_BROKERS is not set/.test(l.msg ?? ''));
    await dev.waitForLine('memory store warning', (l) => /MYSQL_URL is not set/.test(l.msg ?? ''));
  });

  it('lets a demo user log in with PLAIN over STARTTLS and answers the online-time query and vCard', async () => {
    const { xmpp, jid } = await connectClient({
      port: dev.xmppPort,
      username: 'alice',
      password: 'alice-secret',
      resource: 'laptop',
      mechanism: 'PLAIN',
    });
    try {
      expect(jid).toBe('alice@localhost/laptop');
      const onlinetime = await xmpp.iqCaller.get(xml('query', { xmlns: 'youbao:xmpp:onlinetime' }));
      expect(onlinetime.toString()).toBe(
        '<query xmlns="youbao:xmpp:onlinetime"><onlinetime>0</onlinetime></query>',
      );
      const vcard = await xmpp.iqCaller.get(xml('vCard', { xmlns: 'vcard-temp' }), 'bob@localhost');
      expect(vcard.toString()).toBe(
        '<vCard xmlns="vcard-temp"><NICKNAME>Bob</NICKNAME><YB_ONLINETIME>0</YB_ONLINETIME></vCard>',
      );
    } finally {
      await xmpp.stop();
    }
  });

  it('refuses a wrong password', async () => {
    await expect(
      connectClient({
        port: dev.xmppPort,
        username: 'bob',
        password: 'wrong',
        resource: 'x',
        mechanism: 'PLAIN',
      }),
    ).rejects.toThrow(/not-authorized/);
  });
});
