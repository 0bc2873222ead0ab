import type { CommandContext } from '../command.js';

/** One line on stdout. */
export function say(context: CommandContext, line: string): void {
  context.stdout.write(`${line}\n`);
}

/** `onlinetime <command>: message` on stderr; returns `code` so callers can `return fail(...)`. */
export function fail(context: CommandContext, command: string, message: string, code: number): number {
  context.stderr.write(`onlinetime ${command}: ${message}\n`);
  return code;
}

export function printJson(context: CommandContext, value: unknown): void {
  context.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Bad operator input that is not a usage mistake (a malformed JID, no password): exit 2 without the help text. */
export const INPUT_INVALID = 'INPUT_INVALID';

export async function withInputErrors(
  context: CommandContext,
  command: string,
  run: () => Promise<number>,
): Promise<number> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof Error && (err as { code?: unknown }).code === INPUT_INVALID) {
      return fail(context, command, err.message, 2);
    }
    throw err;
  }
}
