import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';

import type { ISocketFactory } from 'kafkajs';

const KEEP_ALIVE_DELAY_MS = 60_000;

/**
 * KafkaJS's own factory, plus TCP_NODELAY. Without it, Nagle's algorithm holds a small request while
 * an earlier one is unacknowledged, and the broker's delayed ACK releases it up to 40 ms later: every
 * hop of an IQ (edge → responder → edge) paid that wait. The broker sets TCP_NODELAY on its side.
 */
export function createNoDelaySocketFactory(): ISocketFactory {
  return ({ host, port, ssl, onConnect }) => {
    const socket: Socket = ssl
      ? tlsConnect(
          {
            host,
            port,
            ...(isIP(host) === 0 ? { servername: host } : {}),
            ...(ssl as ConnectionOptions),
          },
          onConnect,
        )
      : netConnect({ host, port }, onConnect);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
    return socket;
  };
}
