import { PassThrough } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { readFirstLine, readPassword } from './read-password.js';

describe('reading the password from a pipe', () => {
  it('takes the first line without its line ending, even when more follows or stdin stays open', async () => {
    const input = new PassThrough();
    const line = readFirstLine(input);
    input.write('pass');
    input.write('word\r\nsecond line\n');
    expect(await line).toBe('password');
    input.destroy();
  });

  it('takes a last line without newline, and null for nothing', async () => {
    const one = new PassThrough();
    one.end('no-newline');
    expect(await readFirstLine(one)).toBe('no-newline');
    const none = new PassThrough();
    none.end();
    expect(await readFirstLine(none)).toBeNull();
  });

  it('refuses an empty password', async () => {
    const input = new PassThrough();
    input.end('\n');
    await expect(readPassword(input, new PassThrough())).rejects.toThrow('no password');
  });
});
