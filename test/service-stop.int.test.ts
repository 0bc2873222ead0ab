/**
 * The stop of a long-running service is bounded by STOP_TIMEOUT_MS: a drain that outlives it ends the
 * process with exit 1 and says so, instead of hanging an operator's stop or a rolling restart. On a
 * broker of its own: a process that exits mid-drain leaves its member in the group until its session
 * expires, which would slow the next join of every later test file's responder.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { runCli } from './cli-helpers.js';
import { startService, stopAllServices } from './helpers/processes.js';
import { startIsolatedInfra, type IsolatedInfra } from './reliability/isolated.js';

const GAVE_UP = 'responder did not stop within STOP_TIMEOUT_MS; exiting without waiting';

let infra: IsolatedInfra;

beforeAll(async () => {
  infra = await startIsolatedInfra('stop');
}, 180_000);

afterEach(async () => {
  await stopAllServices();
});

afterAll(async () => {
  await infra?.close();
});

describe('STOP_TIMEOUT_MS', () => {
  it('when the drain fits in the bound, then the service leaves its group and exits 0', async () => {
    const responder = await startService('responder', { env: infra.env });
    await responder.waitForLine('the group joined', (l) => l.msg === 'joined consumer group', 30_000);
    expect(await responder.stop(45_000)).toBe(0);
    expect(responder.count(GAVE_UP)).toBe(0);
    expect(responder.count('left consumer group')).toBe(1);
    expect(responder.count('responder stopped')).toBe(2); // the responder's own line, then the service's
  });

  it('when it is stopped right after it started, before or after joining its group, then it exits 0', async () => {
    // The join usually comes 10-400 ms after "started": a stop before it once ended the process with
    // an unhandled rejection (exit 1).
    const responder = await startService('responder', { env: infra.env });
    expect(await responder.stop(45_000), responder.stderr()).toBe(0);
    expect(responder.count('responder stopped')).toBe(2);
  });

  it('when STOP_TIMEOUT_MS is not a whole number of milliseconds, then exit 2 naming the variable', async () => {
    const result = await runCli(['responder'], { env: { ...infra.env, STOP_TIMEOUT_MS: '30s' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('STOP_TIMEOUT_MS');
  });

  it('when the edge would flush for longer than the stop may take, then exit 2 naming SHUTDOWN_TIMEOUT_MS', async () => {
    const result = await runCli(['edge'], {
      env: { ...infra.env, SHUTDOWN_TIMEOUT_MS: '60000', STOP_TIMEOUT_MS: '60000', XMPP_PORT: '0' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('SHUTDOWN_TIMEOUT_MS: must be below STOP_TIMEOUT_MS (60000)');
  });

  // Last: the member it leaves behind stays in the group until its session expires.
  it('when the drain outlives the bound, then the service logs that it gave up and exits 1', async () => {
    const responder = await startService('responder', { env: { ...infra.env, STOP_TIMEOUT_MS: '1' } });
    await responder.waitForLine('the group joined', (l) => l.msg === 'joined consumer group', 30_000);
    // 1 ms: leaving the consumer group alone takes a round trip to the coordinator.
    expect(await responder.stop(30_000)).toBe(1);
    expect(responder.lines().find((l) => l.msg === GAVE_UP)).toMatchObject({ stopTimeoutMs: 1 });
  });
});
