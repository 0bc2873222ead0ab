import { OnlinetimeError } from '@onlinetime/errors';

/** The RFC 6120 §6.5 conditions this package fails with. */
export type SaslFailureCondition =
  | 'malformed-request'
  | 'incorrect-encoding'
  | 'not-authorized'
  | 'invalid-authzid'
  | 'temporary-auth-failure';

/**
 * A failed SASL exchange: the edge answers `<failure><{condition}/></failure>`. `message` is safe to show
 * the client (never says whether the user exists); `context` carries operator-only detail for logs.
 */
export class SaslFailure extends OnlinetimeError {
  readonly condition: SaslFailureCondition;

  constructor(
    condition: SaslFailureCondition,
    message: string,
    options: { context?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(`SASL_${condition.toUpperCase().replaceAll('-', '_')}`, message, {
      retriable: condition === 'temporary-auth-failure',
      context: { condition, ...options.context },
      cause: options.cause,
    });
    this.condition = condition;
  }
}
