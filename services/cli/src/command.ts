import type { Env } from '@onlinetime/config';

/** What a subcommand gets: no globals, so tests can drive commands in-process or as subprocesses. */
export interface CommandContext {
  /** Arguments after the subcommand name. */
  readonly argv: readonly string[];
  readonly env: Env;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  /** Resolves on SIGTERM/SIGINT (long-running services drain on it). */
  readonly shutdownSignal: Promise<NodeJS.Signals>;
  /** Ends the process now: for a drain that outlived its bound (pending work would keep it alive). */
  readonly exit: (code: number) => void;
}

export interface Command {
  readonly name: string;
  /** One line for `onlinetime --help`. */
  readonly summary: string;
  /** Full `--help` text: usage, options, environment variables with defaults. */
  help(): string;
  /** Resolves to the process exit code: 0 ok, 1 failure/difference, 2 usage or configuration error. */
  run(context: CommandContext): Promise<number>;
}

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;
