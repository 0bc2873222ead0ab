import { OnlinetimeError } from '@onlinetime/errors';

/** Parsed `--name value`, `--name=value`, `--flag` options and positionals. */
export interface ParsedArgs {
  readonly positionals: string[];
  readonly options: Map<string, string | true>;
}

/**
 * Minimal argv parser (node:util parseArgs would do too, but it rejects unknown options before we
 * can name them in our own error). `flags` lists options that take no value.
 */
export function parseArgs(
  argv: readonly string[],
  known: { values: readonly string[]; flags: readonly string[] },
): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (known.flags.includes(name)) {
      if (eq !== -1) throw new OnlinetimeError('USAGE', `--${name} takes no value`);
      options.set(name, true);
    } else if (known.values.includes(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || value === '') throw new OnlinetimeError('USAGE', `--${name} needs a value`);
      options.set(name, value);
    } else {
      throw new OnlinetimeError('USAGE', `unknown option --${name}`);
    }
  }
  return { positionals, options };
}
