import { ReconcilerError } from '../../core/src/errors.js';

/** A work item could not be done; the queue delivers it again later. */
export class WorkItemFailedError extends ReconcilerError {
  override name = 'WorkItemFailedError';

  constructor(
    message: string,
    readonly codes: readonly string[] = [],
    options?: ErrorOptions
  ) {
    super(message, options);
  }
}

/** The manual reconcile was invoked with a payload it does not accept. */
export class InvalidPayloadError extends ReconcilerError {
  override name = 'InvalidPayloadError';
}

/** A handler is missing a variable or setting the stack gives it. */
export class HandlerEnvironmentError extends ReconcilerError {
  override name = 'HandlerEnvironmentError';
}
