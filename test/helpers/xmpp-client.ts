import { client, type XmppClient } from '@xmpp/client';

export interface TestClientOptions {
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly resource: string;
  readonly domain?: string;
  /** Force a mechanism (e.g. PLAIN over STARTTLS); default: the library's choice (SCRAM-SHA-1 first). */
  readonly mechanism?: string;
}

/**
 * A real third-party client (@xmpp/client from npm) logged in to the edge. It uses STARTTLS whenever
 * offered; tests that use the edge's self-signed certificate set NODE_TLS_REJECT_UNAUTHORIZED=0.
 * Reconnection is disabled so a dropped connection stays dropped.
 */
export async function connectClient(
  options: TestClientOptions,
): Promise<{ xmpp: XmppClient; jid: string; mechanisms: string[] }> {
  const offered: string[] = [];
  const { username, password, mechanism } = options;
  const xmpp = client({
    service: `xmpp://127.0.0.1:${options.port}`,
    domain: options.domain ?? 'localhost',
    resource: options.resource,
    credentials: async (authenticate, mechanisms) => {
      offered.push(...mechanisms);
      await authenticate(
        { username, password },
        mechanism ?? (mechanisms.includes('SCRAM-SHA-1') ? 'SCRAM-SHA-1' : (mechanisms[0] as string)),
      );
    },
  });
  xmpp.reconnect.stop();
  xmpp.on('error', () => {}); // surfaced through start()/requests instead
  const jid = await xmpp.start();
  return { xmpp, jid: jid.toString(), mechanisms: offered };
}
