import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { portOpen, run, spawnLogged, waitUntil, type Child } from './process-utils.js';
import type { ServerUnderTest } from './server.js';

/** Prosody from Debian's package, with bench/prosody/prosody.cfg.lua, run as the prosody user in a private directory. */
export function createProsody(options: { port: number; configTemplate: string }): ServerUnderTest {
  let dir = '';
  let child: Child | undefined;

  return {
    name: 'prosody',
    port: options.port,
    domain: 'localhost',
    async prepare() {
      dir = mkdtempSync(join(tmpdir(), 'onlinetime-bench-prosody-'));
      mkdirSync(join(dir, 'data'));
      mkdirSync(join(dir, 'certs'));
      const config = readFileSync(options.configTemplate, 'utf8')
        .replaceAll('__PORT__', String(options.port))
        .replaceAll('__DIR__', dir);
      writeFileSync(join(dir, 'prosody.cfg.lua'), config);
      await run('chown', ['-R', 'prosody:', dir]);
      await run('chmod', ['755', dir]);
    },
    async start() {
      if (await portOpen(options.port)) throw new Error(`port ${options.port} is already in use`);
      // setpriv execs prosody in place (no PAM session, no fork): the child's pid is prosody's own.
      const args = [
        '--reuid=prosody',
        '--regid=prosody',
        '--init-groups',
        'prosody',
        '--config',
        join(dir, 'prosody.cfg.lua'),
        '-F',
      ];
      child = spawnLogged('setpriv', args, {
        logFile: join(dir, 'stdout.log'),
      });
      await Promise.race([
        waitUntil(() => portOpen(options.port), 30_000, `prosody on port ${options.port}`),
        child.exited.then((code) => {
          throw new Error(`prosody exited with ${code}: see ${join(dir, 'stdout.log')}`);
        }),
      ]);
    },
    async createAccounts() {
      return { registerInBand: true };
    },
    pid: () => child?.process.pid ?? 0,
    processes: () => [{ name: 'prosody', pid: child?.process.pid ?? 0 }],
    async stop() {
      await child?.stop(10_000);
      child = undefined;
      await waitUntil(async () => !(await portOpen(options.port)), 10_000, 'prosody to release its port');
    },
    async cleanup() {
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    },
    async version() {
      const { stdout } = await run('dpkg-query', ['-W', '-f=${Version}', 'prosody']);
      const lua = readFileSync('/usr/bin/prosody', 'utf8').split('\n')[0] ?? '';
      return `Prosody ${stdout.trim()} (Debian, ${lua.replace('#!/usr/bin/env ', '').replace('#!', '')})`;
    },
  };
}
