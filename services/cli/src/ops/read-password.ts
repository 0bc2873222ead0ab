import { OnlinetimeError } from '@onlinetime/errors';

type Input = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };

/**
 * The password for `user add|passwd`: typed at a prompt without echo when stdin is a terminal (asked
 * twice, must match), otherwise the first line of stdin (so scripts can pipe it; never from argv,
 * where `ps` and shell history would show it). Throws code INPUT_INVALID when none is given.
 */
export async function readPassword(stdin: Input, stderr: NodeJS.WritableStream): Promise<string> {
  if (stdin.isTTY === true && typeof stdin.setRawMode === 'function') {
    const first = await promptHidden(stdin, stderr, 'Password: ');
    const second = await promptHidden(stdin, stderr, 'Repeat password: ');
    if (first !== second) throw new OnlinetimeError('INPUT_INVALID', 'the passwords do not match');
    if (first === '') throw new OnlinetimeError('INPUT_INVALID', 'the password is empty');
    return first;
  }
  const line = await readFirstLine(stdin);
  if (line === null || line === '') {
    throw new OnlinetimeError(
      'INPUT_INVALID',
      'no password: pipe it as the first line of stdin, or run on a terminal',
    );
  }
  return line;
}

/** The first line (without its line ending), or null when stdin ends without any character. */
export function readFirstLine(stdin: NodeJS.ReadableStream): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const finish = (value: string | null): void => {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      stdin.removeListener('error', onError);
      stdin.pause();
      resolve(value);
    };
    const onData = (chunk: Buffer | string): void => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const newline = buffer.indexOf(0x0a);
      if (newline === -1) {
        chunks.push(buffer);
        return;
      }
      chunks.push(buffer.subarray(0, newline));
      finish(stripCr(Buffer.concat(chunks).toString('utf8')));
    };
    const onEnd = (): void => {
      const text = Buffer.concat(chunks).toString('utf8');
      finish(text.length === 0 ? null : stripCr(text));
    };
    const onError = (err: Error): void => {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      reject(err);
    };
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.once('error', onError);
    stdin.resume();
  });
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function promptHidden(stdin: Input, stderr: NodeJS.WritableStream, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    stderr.write(prompt);
    stdin.setRawMode?.(true);
    const done = (err?: Error): void => {
      stdin.removeListener('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      stderr.write('\n');
      if (err === undefined) resolve(value);
      else reject(err);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of typeof chunk === 'string' ? chunk : chunk.toString('utf8')) {
        if (char === '\r' || char === '\n' || char === '\u0004') return done();
        if (char === '\u0003') return done(new OnlinetimeError('INPUT_INVALID', 'interrupted'));
        if (char === '\u007f' || char === '\b') value = Array.from(value).slice(0, -1).join('');
        else if (char >= ' ') value += char;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}
