import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Metrics } from './metrics.js';

/** A named readiness condition: Kafka reachable, MySQL reachable, consumer assigned, edge accepting. */
export type ReadinessCheck = () => boolean | Promise<boolean>;

export interface HealthServerOptions {
  readonly host?: string;
  readonly port: number;
  readonly metrics: Metrics;
  readonly checks: Readonly<Record<string, ReadinessCheck>>;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

async function runChecks(checks: HealthServerOptions['checks']): Promise<Record<string, boolean>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        return [name, await check()] as const;
      } catch {
        return [name, false] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}

/** /metrics (Prometheus), /healthz (alive), /readyz (every check true) on one port. */
export async function createHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (path === '/readyz') {
      void runChecks(options.checks).then((results) => {
        const ready = Object.values(results).every(Boolean);
        res
          .writeHead(ready ? 200 : 503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: ready ? 'ready' : 'not-ready', checks: results }));
      });
      return;
    }
    if (path === '/metrics') {
      options.metrics.render().then(
        (text) => res.writeHead(200, { 'content-type': options.metrics.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
