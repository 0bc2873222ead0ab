import type { SecureContext } from 'node:tls';

import { NS, xml } from '@onlinetime/stanza';

import type { Connection } from './connection.js';

/**
 * RFC 6120 §5.4: `<starttls/>` before authentication on a plain connection → `<proceed/>` and the TLS
 * handshake; anywhere else → `<failure/>` and the stream closes (§5.4.2.2).
 */
export function handleStarttls(connection: Connection, context: SecureContext, offered: boolean): void {
  if (!offered || connection.secure || connection.user !== null) {
    connection.send(xml('failure', { xmlns: NS.tls }));
    connection.closeStream('error');
    return;
  }
  connection.upgradeToTls(context, xml('proceed', { xmlns: NS.tls }));
}
