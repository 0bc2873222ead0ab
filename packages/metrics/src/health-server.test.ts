import { afterEach, describe, expect, it } from 'vitest';

import { createHealthServer, type HealthServer } from './health-server.js';
import { createMetrics } from './metrics.js';

let server: HealthServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('health server', () => {
  it('serves counters on /metrics as they move', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const logins = metrics.counter('logins_total', 'logins', ['mechanism']);
    server = await createHealthServer({ host: '127.0.0.1', port: 0, metrics, checks: {} });
    logins.inc({ mechanism: 'PLAIN' });
    logins.inc({ mechanism: 'PLAIN' }, 2);
    const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    expect(text).toContain('onlinetime_logins_total{mechanism="PLAIN"} 3');
  });

  it('is ready only when every check passes, and names the failing one', async () => {
    let kafka = false;
    server = await createHealthServer({
      host: '127.0.0.1',
      port: 0,
      metrics: createMetrics({ defaultMetrics: false }),
      checks: { kafka: () => kafka, mysql: () => Promise.resolve(true) },
    });
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'not-ready', checks: { kafka: false, mysql: true } });
    kafka = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('returns the same metric when asked twice', () => {
    const metrics = createMetrics({ defaultMetrics: false });
    expect(metrics.counter('x_total', 'x')).toBe(metrics.counter('x_total', 'x'));
  });
});
