export class PolicyError extends Error {
  override name = 'PolicyError';
}

/**
 * A managed statement was asked for with no principal. It would match no one,
 * so the plan drops the statement instead; reaching this is a caller's bug.
 */
export class EmptyPrincipalListError extends PolicyError {
  override name = 'EmptyPrincipalListError';
}
