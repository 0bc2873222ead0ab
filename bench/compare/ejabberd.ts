import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { alive, portOpen, run, sleep, waitUntil } from './process-utils.js';
import type { ServerUnderTest } from './server.js';

/** A private node name, so nothing collides with another Erlang node (e.g. RabbitMQ) on this machine. */
const NODE = 'ejabberd_bench@localhost';

/**
 * ejabberd from Debian's package, with bench/ejabberd/ejabberd.yml, its Mnesia spool and logs in a
 * private run directory owned by the ejabberd user. Never touches /etc/ejabberd or the default node.
 */
export function createEjabberd(options: { port: number; configTemplate: string }): ServerUnderTest {
  let dir = '';
  let pid = 0;
  const ctl = (...args: string[]): Promise<{ stdout: string; stderr: string }> =>
    // As the ejabberd user through setpriv, which keeps our resource limits: ejabberdctl's own su
    // would reset the open-files limit to 1,024, too few for 5,000 idle clients.
    run(
      'setpriv',
      [
        '--reuid=ejabberd',
        '--regid=ejabberd',
        '--init-groups',
        'ejabberdctl',
        '-n',
        NODE,
        '-c',
        join(dir, 'ejabberdctl.cfg'),
        '-f',
        join(dir, 'ejabberd.yml'),
        '-s',
        join(dir, 'spool'),
        '-l',
        join(dir, 'logs'),
        ...args,
      ],
      { env: { ...process.env, HOME: '/var/lib/ejabberd' } },
    );

  return {
    name: 'ejabberd',
    port: options.port,
    domain: 'localhost',
    async prepare() {
      dir = mkdtempSync(join(tmpdir(), 'onlinetime-bench-ejabberd-'));
      await run('mkdir', ['-p', join(dir, 'spool'), join(dir, 'logs')]);
      const config = readFileSync(options.configTemplate, 'utf8')
        .replaceAll('__PORT__', String(options.port))
        .replaceAll('__DIR__', dir);
      writeFileSync(join(dir, 'ejabberd.yml'), config);
      // Our own ejabberdctl.cfg: Debian's sets EJABBERD_CONFIG_PATH to /etc/ejabberd/ejabberd.yml.
      writeFileSync(
        join(dir, 'ejabberdctl.cfg'),
        [
          'ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0"',
          `EJABBERD_PID_PATH=${join(dir, 'ejabberd.pid')}`,
          `EJABBERD_CONFIG_PATH=${join(dir, 'ejabberd.yml')}`,
          '',
        ].join('\n'),
      );
      await run('chown', ['-R', 'ejabberd:', dir]);
      await run('chmod', ['755', dir]);
    },
    async start() {
      if (await portOpen(options.port)) throw new Error(`port ${options.port} is already in use`);
      // ejabberd leaves its pid file behind on stop: a stale one would name a dead process.
      rmSync(join(dir, 'ejabberd.pid'), { force: true });
      await ctl('start');
      await waitUntil(() => portOpen(options.port), 90_000, `ejabberd on port ${options.port}`);
      const pidFile = join(dir, 'ejabberd.pid');
      await waitUntil(async () => existsSync(pidFile), 10_000, 'ejabberd pid file');
      await waitUntil(async () => readFileSync(pidFile, 'utf8').trim() !== '', 10_000, 'ejabberd pid');
      pid = Number(readFileSync(pidFile, 'utf8').trim());
      if (!alive(pid)) throw new Error(`ejabberd pid file names ${pid}, which is not running`);
      // The listener opens before every module is up: wait for the node to report "started".
      await ctl('started');
    },
    async createAccounts() {
      return { registerInBand: true };
    },
    pid: () => pid,
    processes: () => [{ name: 'ejabberd', pid }],
    async stop() {
      if (pid === 0) return;
      await ctl('stop').catch(() => undefined);
      const until = Date.now() + 30_000;
      while (alive(pid) && Date.now() < until) await sleep(200);
      if (alive(pid)) process.kill(pid, 'SIGKILL');
      await waitUntil(async () => !(await portOpen(options.port)), 10_000, 'ejabberd to release its port');
      pid = 0;
    },
    async cleanup() {
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    },
    async version() {
      const { stdout } = await run('dpkg-query', ['-W', '-f=${Version}', 'ejabberd']);
      return `ejabberd ${stdout.trim()} (Debian), Erlang/OTP ${(await run('erl', ['-noshell', '-eval', 'io:format("~s",[erlang:system_info(otp_release)]),halt().'])).stdout.trim()}`;
    },
  };
}
