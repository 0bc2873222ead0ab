/**
 * The one base class of every error this product throws on purpose. Variety goes into `code` and
 * `context`, not into a deep class tree; `retriable` tells retry loops whether trying again can help.
 */
export class OnlinetimeError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(
    code: string,
    message: string,
    options: { retriable?: boolean; context?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.context = options.context ?? {};
  }
}

export function isOnlinetimeError(err: unknown): err is OnlinetimeError {
  return err instanceof OnlinetimeError;
}
