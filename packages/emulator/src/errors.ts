export class EmulatorError extends Error {
  override name = 'EmulatorError';
}

/** moto's server is missing and could not be installed here. */
export class EmulatorUnavailableError extends EmulatorError {
  override name = 'EmulatorUnavailableError';
}
