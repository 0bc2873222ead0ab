import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

import { XmppClient } from '../xmpp-load/connection.js';
import type { ScenarioResult } from '../xmpp-load/report.js';
import { ScramKeyCache } from '../xmpp-load/sasl-scram.js';
import { sleep } from './process-utils.js';
import type { ServerUnderTest } from './server.js';

const CLI = join(resolve(import.meta.dirname, '..'), 'xmpp-load', 'cli.js');

/** Runs the load tool in its own process (fresh heap per scenario); bounded; returns its JSON result. */
export function runTool(args: readonly string[], timeoutMs = 15 * 60_000): Promise<ScenarioResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(
          new Error(
            `xmpp-load ${args
              .filter((a) => !a.startsWith('--') || a === '--clients')
              .slice(-3)
              .join(' ')} exited ${code}: ${stderr.trim().slice(-500)}`,
          ),
        );
        return;
      }
      resolvePromise(JSON.parse(line) as ScenarioResult);
    });
  });
}

/**
 * Waits (bounded) until user 1 can log in and get an answer to a vCard get: for our stack this
 * proves edge → Kafka → responder → Kafka → edge works before anything is measured.
 */
export async function checkReady(
  s: ServerUnderTest,
  prefix: string,
  password: string,
  skipLogin: boolean,
): Promise<void> {
  if (skipLogin) return;
  const until = Date.now() + 90_000;
  let last = '';
  while (Date.now() < until) {
    try {
      const client = await XmppClient.login({
        host: '127.0.0.1',
        port: s.port,
        domain: s.domain,
        user: `${prefix}1`,
        password,
        resource: 'ready',
        mechanism: 'auto',
        tls: false,
        timeoutMs: 5000,
        cache: new ScramKeyCache(),
        presence: false,
      });
      const type = await new Promise<string>((resolveType) => {
        const timer = setTimeout(() => resolveType('timeout'), 5000);
        client.sendIq(
          (id) => `<iq type='get' id='${id}'><vCard xmlns='vcard-temp'/></iq>`,
          (t) => {
            clearTimeout(timer);
            resolveType(t);
          },
        );
      });
      await client.close(2000);
      if (type === 'result') return;
      last = `vCard get answered ${type}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(1000);
  }
  throw new Error(`${s.name} is not ready after 90 s: ${last}`);
}
