import { ConfigError, isOnlinetimeError } from '@onlinetime/errors';

import { EXIT, type Command, type CommandContext } from './command.js';
import { COMMANDS } from './commands/index.js';

function usage(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: onlinetime <command> [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `onlinetime <command> --help` for the options and environment variables of a command.',
    '',
  ].join('\n');
}

/** First SIGTERM/SIGINT: resolve so services drain; a second one: exit at once. */
function onShutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const first = (signal: NodeJS.Signals): void => {
      process.removeListener('SIGTERM', first);
      process.removeListener('SIGINT', first);
      const again = (): void => process.exit(130);
      process.once('SIGTERM', again);
      process.once('SIGINT', again);
      resolve(signal);
    };
    process.on('SIGTERM', first);
    process.on('SIGINT', first);
  });
}

export async function main(
  argv: readonly string[],
  commands: readonly Command[] = COMMANDS,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage(commands));
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    process.stderr.write(`onlinetime: unknown command "${name}"\n\n${usage(commands)}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.help().trimEnd()}\n`);
    return EXIT.ok;
  }
  const context: CommandContext = {
    argv: rest,
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    shutdownSignal: onShutdownSignal(),
    exit: (code) => process.exit(code),
  };
  try {
    return await command.run(context);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`onlinetime ${name}: ${err.message}\n`);
      return EXIT.usage;
    }
    if (isOnlinetimeError(err) && err.code === 'USAGE') {
      process.stderr.write(`onlinetime ${name}: ${err.message}\n\n${command.help().trimEnd()}\n`);
      return EXIT.usage;
    }
    process.stderr.write(
      `onlinetime ${name}: ${isOnlinetimeError(err) ? err.message : String((err as Error).stack ?? err)}\n`,
    );
    return EXIT.failure;
  }
}
