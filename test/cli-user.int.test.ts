import { verifyPlain } from '@onlinetime/scram';
import { createMysqlStore, type Store } from '@onlinetime/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { jsonOf, runCli } from './cli-helpers.js';
import { mysqlUrl, uniqueId } from './helpers/infra.js';

let store: Store;
let domain: string;

beforeAll(() => {
  store = createMysqlStore({ url: mysqlUrl(), poolSize: 2 });
  domain = `${uniqueId('d')}.example`;
});

afterAll(async () => {
  await store.close();
});

async function passwordWorks(jid: string, password: string): Promise<{ sha1: boolean; sha256: boolean }> {
  const credentials = await store.users.getCredentials(jid);
  if (credentials === null) throw new Error(`no credentials for ${jid}`);
  return {
    sha1: verifyPlain(credentials.scram['SCRAM-SHA-1'], 'SCRAM-SHA-1', password),
    sha256: verifyPlain(credentials.scram['SCRAM-SHA-256'], 'SCRAM-SHA-256', password),
  };
}

describe('onlinetime user', () => {
  it('when a user is added with the password on stdin, then both SCRAM keys verify it and the JID is normalised', async () => {
    const local = uniqueId('Alice');
    const result = await runCli(['user', 'add', `${local}@${domain.toUpperCase()}`], {
      input: 'correct horse\n',
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const jid = `${local.toLowerCase()}@${domain}`;
    expect(result.stdout).toBe(`added ${jid}\n`);
    expect(await passwordWorks(jid, 'correct horse')).toEqual({ sha1: true, sha256: true });
    expect(await passwordWorks(jid, 'correct horse\n')).toEqual({ sha1: false, sha256: false });
  });

  it('when the user exists, then add fails with exit 1 and leaves the password as it was', async () => {
    const jid = `${uniqueId('dup')}@${domain}`;
    expect((await runCli(['user', 'add', jid], { input: 'first\n' })).code).toBe(0);
    const again = await runCli(['user', 'add', jid], { input: 'second\n' });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`user ${jid} already exists`);
    expect(await passwordWorks(jid, 'first')).toEqual({ sha1: true, sha256: true });
  });

  it('when passwd and del run, then the keys change and the user goes; both fail with exit 1 for a missing user', async () => {
    const jid = `${uniqueId('bob')}@${domain}`;
    expect((await runCli(['user', 'add', jid], { input: 'old-password\n' })).code).toBe(0);
    const passwd = await runCli(['user', 'passwd', jid], { input: 'new-password\r\nignored second line\n' });
    expect(passwd.code).toBe(0);
    expect(passwd.stdout).toBe(`password of ${jid} changed\n`);
    expect(await passwordWorks(jid, 'new-password')).toEqual({ sha1: true, sha256: true });
    expect(await passwordWorks(jid, 'old-password')).toEqual({ sha1: false, sha256: false });

    const del = await runCli(['user', 'del', jid]);
    expect(del.code).toBe(0);
    expect(del.stdout).toBe(`deleted ${jid}\n`);
    expect(await store.users.getCredentials(jid)).toBeNull();

    const delAgain = await runCli(['user', 'del', jid]);
    expect(delAgain.code).toBe(1);
    expect(delAgain.stderr).toContain(`no such user ${jid}`);
    const passwdMissing = await runCli(['user', 'passwd', jid], { input: 'x\n' });
    expect(passwdMissing.code).toBe(1);
    expect(passwdMissing.stderr).toContain(`no such user ${jid}`);
  });

  it('when users are listed, then the domain filter and --json give exactly that domain’s users in order', async () => {
    const listDomain = `${uniqueId('l')}.example`;
    const jids = [`zed@${listDomain}`, `amy@${listDomain}`];
    for (const jid of jids) expect((await runCli(['user', 'add', jid], { input: 'pw\n' })).code).toBe(0);
    const plain = await runCli(['user', 'list', listDomain]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe(`amy@${listDomain}\nzed@${listDomain}\n`);
    const json = await runCli(['user', 'list', listDomain, '--json']);
    expect(jsonOf<string[]>(json)).toEqual([`amy@${listDomain}`, `zed@${listDomain}`]);
  });

  it('when the input is wrong, then the exit code is 2 with a message naming the problem', async () => {
    const badJid = await runCli(['user', 'add', `has space@${domain}`], { input: 'pw\n' });
    expect(badJid.code).toBe(2);
    expect(badJid.stderr).toContain('invalid JID');
    const noDomain = await runCli(['user', 'add', 'nobody'], { input: 'pw\n' });
    expect(noDomain.code).toBe(2);
    expect(noDomain.stderr).toContain('expected USER@DOMAIN');

    const noUrl = await runCli(['user', 'add', `x@${domain}`], {
      input: 'pw\n',
      env: { MYSQL_URL: undefined },
    });
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain('MYSQL_URL');
    const badUrl = await runCli(['user', 'list'], { env: { MYSQL_URL: 'postgres://x/y' } });
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('MYSQL_URL');

    const noPassword = await runCli(['user', 'add', `nopw@${domain}`], { input: '' });
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toContain('no password');
    expect(await store.users.getCredentials(`nopw@${domain}`)).toBeNull();

    const unknown = await runCli(['user', 'rename', `x@${domain}`]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown action "rename"');
    const badOption = await runCli(['user', 'add', `x@${domain}`, '--password', 'pw']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain('unknown option --password');
  });

  it('when --help is given, then the options and environment variables are listed with defaults', async () => {
    const help = await runCli(['user', '--help'], { env: { MYSQL_URL: undefined } });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('MYSQL_URL');
    expect(help.stdout).toContain('--iterations N');
    expect(help.stdout).toMatch(/LOG_LEVEL\s+warn/);
  });
});
