import { OnlinetimeError } from './onlinetime-error.js';

export interface ConfigProblem {
  /** The environment variable (or option) at fault. */
  readonly variable: string;
  readonly message: string;
}

/** Every configuration problem found at once, each naming its variable. */
export class ConfigError extends OnlinetimeError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(
      'CONFIG_INVALID',
      `invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`,
      { context: { problems } },
    );
    this.problems = problems;
  }
}
