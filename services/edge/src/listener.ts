import { createServer, type Server, type Socket } from 'node:net';

export interface Listener {
  /** Starts listening; resolves with the bound port. */
  listen(host: string, port: number): Promise<number>;
  /** Stops accepting; resolves when the server is closed (open sockets are the caller's). */
  close(): Promise<void>;
}

/** The TCP listener: hands every accepted socket (with an error guard already attached) to `accept`. */
export function createListener(accept: (socket: Socket) => void, onError: (err: Error) => void): Listener {
  const server: Server = createServer({ noDelay: true }, (socket) => {
    socket.on('error', () => {}); // a reset before the connection attaches must not crash the process
    accept(socket);
  });
  let closing: Promise<void> | null = null;
  return {
    listen(host, port) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port }, () => {
          server.off('error', reject);
          server.on('error', onError); // e.g. EMFILE while accepting: logged, the edge keeps serving
          const address = server.address();
          resolve(typeof address === 'object' && address !== null ? address.port : port);
        });
      });
    },
    close() {
      closing ??= new Promise((resolve) => {
        if (!server.listening) resolve();
        else server.close(() => resolve());
      });
      return closing;
    },
  };
}
