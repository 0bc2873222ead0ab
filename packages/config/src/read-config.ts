import { ConfigError, type ConfigProblem } from '@onlinetime/errors';

export type Env = Readonly<Record<string, string | undefined>>;

/** One environment variable: its name, what it means, its default, and how to parse it. */
export interface VariableSpec<T> {
  readonly name: string;
  readonly description: string;
  /** Raw default; undefined with `required` unset means the value is `undefined`. */
  readonly default?: string;
  readonly required?: boolean;
  /** Throws an Error whose message says what is wrong with the raw value. */
  readonly parse: (raw: string) => T;
}

type Specs = Readonly<Record<string, VariableSpec<unknown>>>;

export type ConfigOf<S extends Specs> = {
  readonly [K in keyof S]: S[K] extends VariableSpec<infer T>
    ? S[K]['required'] extends true
      ? T
      : S[K]['default'] extends string
        ? T
        : T | undefined
    : never;
};

/** Reads every variable of `specs` from `env`; all problems are reported at once, each naming its variable. */
export function readConfig<S extends Specs>(specs: S, env: Env): ConfigOf<S> {
  const problems: ConfigProblem[] = [];
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const given = env[spec.name];
    const raw = given === undefined || given.trim() === '' ? spec.default : given.trim();
    if (raw === undefined) {
      if (spec.required === true) problems.push({ variable: spec.name, message: 'is required but not set' });
      values[key] = undefined;
      continue;
    }
    try {
      values[key] = spec.parse(raw);
    } catch (err) {
      problems.push({
        variable: spec.name,
        message: `${(err as Error).message} (got ${JSON.stringify(raw)})`,
      });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values as ConfigOf<S>;
}

/** The `--help` table of a service: name, default, meaning. */
export function describeVariables(specs: Specs): string {
  const rows = Object.values(specs).map((s) => ({
    name: s.name,
    def: s.required === true ? '(required)' : s.default === undefined ? '(unset)' : s.default,
    description: s.description,
  }));
  const width = Math.max(...rows.map((r) => r.name.length));
  const defWidth = Math.max(...rows.map((r) => r.def.length));
  return rows.map((r) => `  ${r.name.padEnd(width)}  ${r.def.padEnd(defWidth)}  ${r.description}`).join('\n');
}
