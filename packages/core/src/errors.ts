/** Base of every error this project raises on purpose. */
export class ReconcilerError extends Error {
  override name = 'ReconcilerError';
}

/** The configuration is refused; the message names the offending key. */
export class ConfigurationError extends ReconcilerError {
  override name = 'ConfigurationError';

  constructor(
    message: string,
    readonly issues: readonly string[] = [],
    options?: ErrorOptions
  ) {
    super(message, options);
  }
}
